// The XNLI per-language layout (XTREME format): dev-<lang>.tsv (premise, hypothesis, label) and
// test-<lang>.tsv (premise, hypothesis; no labels), with the test gold labels in
// test-genre-labels.tsv (index, genre, label; row i labels row i of every test file). No headers,
// no quoting. XNLI is CC BY-NC 4.0: non-commercial use (research, tests, evaluation) only.
//
// Like the paper (App. A.2), train and validation rows are sampled disjointly from dev and test rows
// from test: 500/100/400 by default, label-balanced and seeded, with the SAME row indices in every
// language (the files are parallel). The paper's extra filter (prompt ≤ 128 tokens) needs a
// tokenizer and is left to prompt building.

import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Rng } from '../engine/random';
import { parseDelimited } from './delimited';
import { IssueList } from './issues';
import { balancedOrder, derivedSeed } from './pools';
import { licenceOfFolder, loadFile } from './source-files';
import type { ExampleDraft, RawTable, SourceRead, Split } from './types';

export const XNLI_LABELS = ['entailment', 'neutral', 'contradiction'];
/** Beyond this many disagreeing rows the file is misaligned as a whole; listing more says nothing. */
const MAX_MISMATCHES = 20;
const DATA_FILE = /^(dev|test)-([a-z]{2,3})\.tsv$/;

export interface XnliSizes {
  train: number;
  valid: number;
  test: number;
}

export const PAPER_XNLI_SIZES: XnliSizes = { train: 500, valid: 100, test: 400 };

export interface XnliReadOptions {
  languages?: string[];
  sizes?: XnliSizes;
  seed?: number;
  licence?: string;
}

export function looksLikeXnli(dir: string): boolean {
  return readdirSync(dir).some((n) => DATA_FILE.test(n));
}

export function readXnli(dir: string, options: XnliReadOptions = {}): SourceRead {
  const issues = new IssueList();
  const sizes = options.sizes ?? PAPER_XNLI_SIZES;
  const seed = options.seed ?? 0;
  const result: SourceRead = {
    format: 'xnli',
    task: 'nli',
    root: dir,
    files: [],
    examples: [],
    issues: issues.items,
    declaredLabels: XNLI_LABELS,
    licence: options.licence ?? licenceOfFolder(dir),
    suggestedName: basename(dir),
  };
  const tsv = (name: string, header: boolean): RawTable | undefined => {
    const loaded = loadFile(join(dir, name), name, issues);
    result.files.push(loaded.record);
    return loaded.text === undefined ? undefined : parseDelimited(loaded.text, name, { delimiter: '\t', header, quotes: false }, issues);
  };

  const testLabels = labelFile(dir, tsv, 'test-genre-labels.tsv', issues, true);
  const devLabels = labelFile(dir, tsv, 'dev-genre-labels.tsv', issues, false);
  let languages = [...new Set(readdirSync(dir).flatMap((n) => DATA_FILE.exec(n)?.[2] ?? []))].sort();
  if (options.languages) {
    for (const l of options.languages) if (!languages.includes(l)) issues.add('layout-missing-file', `no XNLI files for language "${l}"; available: ${languages.join(', ')}`);
    languages = languages.filter((l) => options.languages!.includes(l));
  }

  const tables = new Map<string, { dev?: RawTable; test?: RawTable }>();
  for (const lang of languages) {
    const entry: { dev?: RawTable; test?: RawTable } = {};
    for (const part of ['dev', 'test'] as const) {
      const name = `${part}-${lang}.tsv`;
      if (!existsSync(join(dir, name))) issues.add('layout-missing-file', `${name} is missing`, { file: name });
      else entry[part] = tsv(name, false);
    }
    tables.set(lang, entry);
  }
  if (!testLabels || issues.has('error')) return result;

  // Dev labels: the label file if present, else the dev file of the first language (all agree).
  const firstDev = [...tables.values()].find((t) => t.dev)?.dev;
  const devGold = devLabels ?? firstDev?.rows.map((r) => String(r.values['3'] ?? ''));
  if (!devGold) return result;
  if (sizes.train + sizes.valid > devGold.length || sizes.test > testLabels.length) {
    issues.add('label-file', `cannot sample ${sizes.train}+${sizes.valid} rows from ${devGold.length} dev rows and ${sizes.test} from ${testLabels.length} test rows`);
    return result;
  }
  const rng = new Rng(derivedSeed(seed, 'xnli'));
  const pick = (gold: string[]) => balancedOrder(gold.map((label, i) => ({ sourceId: String(i), label, index: i })), rng).map((x) => x.index);
  const devOrder = pick(devGold);
  const chosen: [Split, 'dev' | 'test', number[]][] = [
    ['train', 'dev', devOrder.slice(0, sizes.train).sort((a, b) => a - b)],
    ['valid', 'dev', devOrder.slice(sizes.train, sizes.train + sizes.valid).sort((a, b) => a - b)],
    ['test', 'test', pick(testLabels).slice(0, sizes.test).sort((a, b) => a - b)],
  ];
  issues.add(
    'sampling',
    `sampled ${sizes.train} train + ${sizes.valid} valid rows from dev and ${sizes.test} test rows from test (label-balanced, seed ${seed}, same rows in every language)`,
  );

  for (const [lang, t] of tables) {
    if (!t.dev || !t.test) continue;
    checkAgainst(t.dev, devGold, `dev-${lang}.tsv`, issues);
    checkAgainst(t.test, testLabels, `test-${lang}.tsv`, issues);
    for (const [split, part, indices] of chosen) {
      const table = part === 'dev' ? t.dev : t.test;
      const gold = part === 'dev' ? devGold : testLabels;
      for (const i of indices) {
        const row = table.rows[i];
        if (!row) continue;
        const draft: ExampleDraft = {
          sourceId: `${part}-${i}`,
          language: lang,
          split,
          text: null,
          premise: String(row.values['1'] ?? ''),
          hypothesis: String(row.values['2'] ?? ''),
          label: gold[i]!,
          sourceFile: `${part}-${lang}.tsv`,
          sourceLine: row.line,
        };
        result.examples.push(draft);
      }
    }
  }
  if (result.licence) issues.add('licence', `licence: ${result.licence}${/NC/.test(result.licence) ? ': non-commercial use only (research, tests, evaluation)' : ''}`);
  return result;
}

/** Reads index/genre/label; returns labels by row index, or undefined if unusable. */
function labelFile(
  dir: string,
  tsv: (name: string, header: boolean) => RawTable | undefined,
  name: string,
  issues: IssueList,
  required: boolean,
): string[] | undefined {
  if (!existsSync(join(dir, name))) {
    if (required) issues.add('label-file', `${name} is missing: XNLI test files carry no labels, they come from this file`, { file: name });
    return undefined;
  }
  const table = tsv(name, true);
  if (!table) return undefined;
  if (!table.columns.includes('index') || !table.columns.includes('label')) {
    issues.add('label-file', `${name} needs the columns index and label; found ${table.columns.join(', ')}`, { file: name, line: 1 });
    return undefined;
  }
  const labels: string[] = [];
  for (const [i, row] of table.rows.entries()) {
    if (String(row.values.index).trim() !== String(i)) {
      issues.add('label-file', `row ${i} has index "${String(row.values.index)}"; indices must run 0, 1, 2, … in order`, { file: name, line: row.line });
      return undefined;
    }
    labels.push(String(row.values.label).trim());
  }
  return labels;
}

/** Row counts must match the label file; a file's own third (label) column must agree with it. */
function checkAgainst(table: RawTable, gold: readonly string[], name: string, issues: IssueList): void {
  if (table.rows.length !== gold.length) {
    issues.add('label-file-mismatch', `${name} has ${table.rows.length} rows but the label file has ${gold.length}: they must align row by row`, { file: name });
    return;
  }
  if (!table.columns.includes('3')) return;
  const wrong = table.rows.filter((row, i) => String(row.values['3'] ?? '').trim() !== gold[i]);
  for (const row of wrong.slice(0, MAX_MISMATCHES)) {
    const i = table.rows.indexOf(row);
    issues.add('label-file-mismatch', `label "${String(row.values['3']).trim()}" disagrees with the label file ("${gold[i]}") for row ${i}`, { file: name, line: row.line });
  }
  if (wrong.length > MAX_MISMATCHES) {
    issues.add('label-file-mismatch', `${wrong.length - MAX_MISMATCHES} more rows disagree with the label file: is it misaligned?`, { file: name });
  }
}

