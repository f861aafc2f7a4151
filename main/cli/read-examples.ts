// Dataset files for commands that run a model on examples (discover, predict): read with the same
// readers and checks as `data import`, refusing files with errors, and narrowed to a split or language.

import { readSource } from '../data/index';
import type { Split } from '../store/index';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import { CliError } from './output';

export interface ExampleSelection {
  split?: Split;
  language?: string;
}

export function readExamples(path: string, selection: ExampleSelection = {}): ClassificationExample[] {
  const read = readSource(path);
  const errors = read.issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) {
    throw new CliError(`${path}: ${errors.length} problem(s), e.g. ${errors.slice(0, 3).map((e) => e.message).join('; ')} (see \`lontar data import --dry-run\`)`, 1);
  }
  const rows = read.examples.filter(
    (e) => (selection.split === undefined || e.split === selection.split) && (selection.language === undefined || e.language === selection.language),
  );
  if (rows.length === 0) throw new CliError(`${path}: no examples${selection.split ? ` in split ${selection.split}` : ''}${selection.language ? ` for language ${selection.language}` : ''}`, 1);
  const multiFile = new Set(rows.map((e) => `${e.language}/${e.split}`)).size > 1;
  return rows.map((e) => ({
    id: multiFile ? `${e.language}/${e.split}/${e.sourceId}` : e.sourceId,
    text: e.text,
    premise: e.premise,
    hypothesis: e.hypothesis,
    label: e.label,
  }));
}
