// The shapes that flow through an import: raw tables from parsers, example drafts from mapping,
// and what a reader hands to validation.

import type { NewExample, SourceFile, Split, Task } from '../store/index';
import type { Issue } from './issues';

export type { Split, Task } from '../store/index';
export { SPLITS } from '../store/index';

/** A parsed file before column mapping: one value per column name (headerless files use "1", "2", …). */
export interface RawTable {
  columns: string[];
  rows: RawRow[];
}

export interface RawRow {
  /** 1-based line where the row starts in its file. */
  line: number;
  values: Record<string, unknown>;
}

/** An example as read from the source, before it is written (same fields as the stored row). */
export type ExampleDraft = NewExample;

export type SourceFormat = 'csv' | 'tsv' | 'jsonl' | 'nusax' | 'xnli';

/** What a reader produces: the drafts, the files they came from, and structural findings. */
export interface SourceRead {
  format: SourceFormat;
  task: Task;
  /** The path the user gave, absolute. */
  root: string;
  files: SourceFile[];
  examples: ExampleDraft[];
  issues: Issue[];
  /** The label set when the format or the user fixes it; otherwise validation infers it. */
  declaredLabels: string[] | undefined;
  licence: string | null;
  suggestedName: string;
  /** Single files: the columns found, and which column each role was mapped to (for mapping UIs). */
  table?: { columns: string[]; mapping: Partial<Record<string, string>> };
}

const SPLIT_ALIASES: Record<string, Split> = {
  train: 'train',
  training: 'train',
  valid: 'valid',
  validation: 'valid',
  val: 'valid',
  dev: 'valid',
  test: 'test',
};

/** 'train' | 'valid' | 'test' for a split name or a common alias (dev, validation, …). */
export function normaliseSplit(value: string): Split | undefined {
  return SPLIT_ALIASES[value.trim().toLowerCase()];
}
