// A single CSV, TSV or JSONL file with a column mapping. Its split comes from a split column,
// --split, or the file name (train.csv, jav-dev.tsv, …); its language from a language column or
// --language.

import { basename, extname } from 'node:path';
import { parseDelimited } from './delimited';
import { IssueList } from './issues';
import { parseJsonl } from './jsonl';
import { resolveMapping, toDrafts, type ColumnMapping } from './mapping';
import { loadFile } from './source-files';
import { normaliseSplit, type RawTable, type SourceRead, type Split } from './types';

export type FileFormat = 'csv' | 'tsv' | 'jsonl';

export interface FileReadOptions {
  format?: FileFormat;
  mapping?: ColumnMapping;
  /** Whether the first row is a header (CSV/TSV; default true). */
  header?: boolean;
  /** TSV only: honour double quotes around fields (default true). */
  quotes?: boolean;
  language?: string;
  split?: Split;
  labels?: string[];
  licence?: string;
}

export function formatOfFile(path: string): FileFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return undefined;
}

/** The split a file name announces: its last word (train.csv, nusax_jav_test.csv, dev-th.tsv …). */
export function splitOfFileName(path: string): Split | undefined {
  const words = basename(path, extname(path)).split(/[-_.\s]+/);
  for (let i = words.length - 1; i >= 0; i--) {
    const s = normaliseSplit(words[i]!);
    if (s) return s;
  }
  return undefined;
}

export function readFile(path: string, options: FileReadOptions = {}): SourceRead {
  const issues = new IssueList();
  const name = basename(path);
  const format = options.format ?? formatOfFile(path);
  const result: SourceRead = {
    format: format ?? 'csv',
    task: 'classification',
    root: path,
    files: [],
    examples: [],
    issues: issues.items,
    declaredLabels: options.labels,
    licence: options.licence ?? null,
    suggestedName: basename(path, extname(path)),
  };
  if (!format) {
    issues.add('layout-unrecognised', `cannot tell the format of "${name}" from its extension; use .csv, .tsv or .jsonl, or pass --format`, { file: name });
    return result;
  }
  const loaded = loadFile(path, name, issues);
  result.files.push(loaded.record);
  if (loaded.text === undefined) return result;

  const table: RawTable | undefined =
    format === 'jsonl'
      ? parseJsonl(loaded.text, name, issues)
      : parseDelimited(loaded.text, name, { delimiter: format === 'csv' ? ',' : '\t', header: options.header ?? true, quotes: options.quotes ?? true }, issues);
  if (!table) return result;
  result.table = { columns: table.columns, mapping: {} };
  const mapping = resolveMapping(table, options.mapping ?? {}, name, issues);
  if (!mapping) return result;
  result.table.mapping = { ...mapping.columns };
  result.task = mapping.task;
  const split = options.split ?? (mapping.columns.split === undefined ? splitOfFileName(path) : undefined);
  result.examples = toDrafts(table, mapping, { split, language: options.language }, name, issues);
  return result;
}
