// The examples `lontar predict` reads: a CSV, TSV or JSONL file parsed by main/data's readers
// (encoding checks, RFC 4180 quoting, line numbers), with a text (or premise and hypothesis) column,
// and optional id and gold-label columns. Unlike a dataset import, a label is not required.

import { basename, resolve } from 'node:path';
import { parseDelimited } from '../data/delimited';
import { IssueList } from '../data/issues';
import { parseJsonl } from '../data/jsonl';
import { formatOfFile } from '../data/read-file';
import { loadFile } from '../data/source-files';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import { CliError } from './output';

export interface PredictionColumns {
  text?: string;
  premise?: string;
  hypothesis?: string;
  id?: string;
  label?: string;
}

/** Column names looked up (case-insensitively) when a role is not named. */
const USUAL: Record<keyof PredictionColumns, string[]> = {
  text: ['text', 'sentence', 'content', 'review', 'tweet'],
  premise: ['premise', 'sentence1'],
  hypothesis: ['hypothesis', 'sentence2'],
  id: ['id', 'idx', 'guid', 'uid'],
  label: ['label', 'gold_label', 'sentiment', 'class', 'category'],
};

export function readPredictionInput(path: string, named: PredictionColumns = {}): ClassificationExample[] {
  const file = resolve(path);
  const name = basename(file);
  const format = formatOfFile(file);
  if (!format) throw new CliError(`cannot tell the format of "${name}" from its extension; use .csv, .tsv or .jsonl`);
  const issues = new IssueList();
  const loaded = loadFile(file, name, issues);
  const table =
    loaded.text === undefined
      ? undefined
      : format === 'jsonl'
        ? parseJsonl(loaded.text, name, issues)
        : parseDelimited(loaded.text, name, { delimiter: format === 'csv' ? ',' : '\t', header: true, quotes: true }, issues);
  const errors = issues.items.filter((i) => i.severity === 'error');
  if (!table || errors.length > 0) {
    throw new CliError(errors.map((e) => `${e.file ?? name}${e.line ? `:${e.line}` : ''}: ${e.message}`).join('\n') || `${name}: no rows`, 1);
  }
  const column = (role: keyof PredictionColumns): string | undefined => {
    const wanted = named[role];
    if (wanted !== undefined) {
      if (!table.columns.includes(wanted)) throw new CliError(`${name}: no column "${wanted}" (given for ${role}); columns: ${table.columns.join(', ')}`);
      return wanted;
    }
    return table.columns.find((c) => USUAL[role].includes(c.toLowerCase()));
  };
  const [text, premise, hypothesis, id, label] = (['text', 'premise', 'hypothesis', 'id', 'label'] as const).map(column);
  const pair = premise !== undefined && hypothesis !== undefined && named.text === undefined;
  if (!pair && text === undefined) {
    throw new CliError(`${name}: no text column (or premise and hypothesis); columns: ${table.columns.join(', ')}. Name it with --text COLUMN`);
  }
  const value = (row: Record<string, unknown>, col: string | undefined) => {
    const v = col === undefined ? undefined : row[col];
    return v === undefined || v === null ? null : String(v);
  };
  return table.rows.map((row) => ({
    id: value(row.values, id) ?? `line-${row.line}`,
    text: pair ? null : value(row.values, text),
    premise: pair ? value(row.values, premise) : null,
    hypothesis: pair ? value(row.values, hypothesis) : null,
    label: value(row.values, label)?.trim() || null,
  }));
}
