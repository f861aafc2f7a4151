// A job checkpoint on disk: one safetensors file whose tensors are the trainer state (parameters and
// optimizer moments, by state name) and whose string metadata carries what it takes to explain and
// resume it: kind, step, seed, configuration and the kind's own JSON state (nanoGPT's habit of a
// checkpoint that carries its own config, seed and step). Nothing run-specific (ids, times) goes in,
// so the same state always gives the same bytes, hence the same blob hash.

import { SafetensorsFile } from '../models/checkpoint/safetensors-file';
import { writeSafetensors } from '../models/checkpoint/safetensors-write';
import type { JsonObject } from '../store/index';
import type { JobCheckpoint } from './types';

export const CHECKPOINT_FORMAT = 'lontar.job-checkpoint';
export const CHECKPOINT_VERSION = '1';
export const CHECKPOINT_MEDIA_TYPE = 'application/vnd.lontar.job-checkpoint+safetensors';

export interface CheckpointOrigin {
  kind: string;
  seed: number;
  config: unknown;
}

export class CheckpointFileError extends Error {
  override name = 'CheckpointFileError';
}

/** Writes `cp` to `path` (atomically: temp file, fsync, rename); returns the size in bytes. */
export function writeCheckpointFile(path: string, cp: JobCheckpoint, origin: CheckpointOrigin): number {
  if (!Number.isSafeInteger(cp.step) || cp.step < 0) throw new CheckpointFileError(`checkpoint step must be a non-negative integer, got ${cp.step}`);
  return writeSafetensors(path, cp.tensors, {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    kind: origin.kind,
    step: String(cp.step),
    seed: String(origin.seed),
    config: JSON.stringify(origin.config),
    state: JSON.stringify(cp.state),
  });
}

/** Reads a checkpoint written by writeCheckpointFile, checking it belongs to a job of `kind`. */
export function readCheckpointFile(path: string, kind: string): JobCheckpoint & { origin: CheckpointOrigin } {
  const file = SafetensorsFile.open(path);
  try {
    const meta = file.metadata;
    if (meta['format'] !== CHECKPOINT_FORMAT) throw new CheckpointFileError(`${path} is not a Lontar job checkpoint (format "${meta['format'] ?? ''}")`);
    if (meta['version'] !== CHECKPOINT_VERSION) throw new CheckpointFileError(`${path}: checkpoint version ${meta['version'] ?? '?'} is not supported`);
    if (meta['kind'] !== kind) throw new CheckpointFileError(`${path} is a checkpoint of a "${meta['kind'] ?? '?'}" job, not "${kind}"`);
    const step = Number(meta['step']);
    if (!Number.isSafeInteger(step) || step < 0) throw new CheckpointFileError(`${path}: bad step "${meta['step'] ?? ''}"`);
    const state = parseJson(meta['state'], path, 'state');
    if (typeof state !== 'object' || state === null || Array.isArray(state)) throw new CheckpointFileError(`${path}: checkpoint state is not a JSON object`);
    const tensors = Object.fromEntries(file.names().map((name) => [name, file.read(name)]));
    return {
      step,
      tensors,
      state: state as JsonObject,
      origin: { kind, seed: Number(meta['seed']), config: parseJson(meta['config'], path, 'config') },
    };
  } finally {
    file.close();
  }
}

function parseJson(text: string | undefined, path: string, what: string): unknown {
  try {
    return JSON.parse(text ?? 'null');
  } catch {
    throw new CheckpointFileError(`${path}: checkpoint ${what} is not valid JSON`);
  }
}
