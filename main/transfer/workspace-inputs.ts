// The dataset a pipeline reads, found or imported by the process that owns the workspace: a dataset
// named by the user, else one imported earlier from the same folder or file (or from the very same
// files elsewhere: a moved or copied folder) that holds every language needed, else a fresh import of just those languages (refused, with the validation report,
// when it has errors or warnings: the user then imports it with `lontar data import`).

import { resolve } from 'node:path';
import { checkAgainstWorkspace, combinedHash, commitImport, formatReport, isAccepted, prepareImport } from '../data/index';
import type { DatasetRecord, Workspace } from '../store/index';

export class InputError extends Error {
  override name = 'InputError';
}

export function obtainDataset(ws: Workspace, source: { data?: string; dataset?: string }, languages: readonly string[]): DatasetRecord {
  const dataset = source.dataset !== undefined ? namedDataset(ws, source.dataset) : importedDataset(ws, source.data, languages);
  const present = new Set(ws.examples.languages(dataset.id));
  const missing = languages.filter((l) => !present.has(l));
  if (missing.length > 0) throw new InputError(`dataset "${dataset.name}" has no ${missing.join(', ')} examples (it has ${[...present].join(', ')})`);
  return dataset;
}

function namedDataset(ws: Workspace, name: string): DatasetRecord {
  const d = ws.datasets.find(name);
  if (!d) throw new InputError(`no dataset "${name}" in the workspace (see \`lontar data list\`)`);
  return d;
}

function importedDataset(ws: Workspace, path: string | undefined, languages: readonly string[]): DatasetRecord {
  if (path === undefined) throw new InputError('give a dataset to import (a NusaX/XNLI folder or a file) or the name of one in the workspace');
  const root = resolve(path);
  const hasLanguages = (d: DatasetRecord) => languages.every((l) => ws.examples.languages(d.id).includes(l));
  const known = ws.datasets.list().find((d) => d.sourcePath === root && hasLanguages(d));
  if (known) return known;
  const prepared = prepareImport(root, { languages: [...languages] });
  const sameFiles = ws.datasets.withSourceHash(combinedHash(prepared.read.files)).find(hasLanguages);
  if (sameFiles) return sameFiles;
  const report = checkAgainstWorkspace(ws, prepared, false);
  if (!isAccepted(report, false)) {
    throw new InputError(`${root} did not pass validation; import it with \`lontar data import\` and give its dataset name instead\n${formatReport(report)}`);
  }
  return commitImport(ws, { read: prepared.read, report });
}
