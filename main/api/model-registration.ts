// Registering a model folder in a workspace: read what it holds (config, tensor headers, tokenizer;
// main/models/inspect.ts), hash its weights (the content hash runs name exactly which weights they
// started from), and record it. The same weights registered twice give back the first record.

import { basename } from 'node:path';
import { folderContentHash } from '../models/checkpoint/content-hash';
import { inspectModel } from '../models/inspect';
import type { ModelRecord, Workspace } from '../store/index';
import { ApiError, type ModelCard } from './contract/index';

/** The card of a model folder; a folder Lontar cannot read is refused with the reason. */
export function readModelCard(dir: string): ModelCard {
  try {
    const s = inspectModel(dir);
    return { ...s, architectures: [...s.architectures], classifierLabels: s.classifierLabels && [...s.classifierLabels] };
  } catch (e) {
    throw new ApiError('rejected', `${dir} is not a model folder Lontar can use: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function registerModelFolder(ws: Workspace, dir: string, name?: string): { model: ModelRecord; alreadyImported: boolean } {
  const card = readModelCard(dir);
  const contentHash = folderContentHash(dir);
  const same = ws.models.byContentHash(contentHash)[0];
  if (same) return { model: same, alreadyImported: true };
  const wanted = name ?? basename(dir);
  if (name !== undefined && ws.models.list().some((m) => m.name === name)) throw new ApiError('conflict', `a model named "${name}" already exists; choose another name`);
  let unique = wanted;
  for (let k = 2; ws.models.list().some((m) => m.name === unique); k++) unique = `${wanted}-${k}`;
  const model = ws.durably(() =>
    ws.models.create({ name: unique, family: card.family, sourcePath: dir, contentHash, config: { layers: card.layers, heads: card.heads, kvHeads: card.kvHeads, hidden: card.hidden } }),
  );
  return { model, alreadyImported: false };
}
