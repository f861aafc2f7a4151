// Dataset-level validation, run on everything a reader produced and before anything is written:
// per-row text checks, the label set, duplicate ids, duplicate or leaking texts, label balance per
// split, and per-split counts.

import type { IssueList } from './issues';
import { checkText, DEFAULT_TEXT_LIMITS, textFields, type TextLimits } from './text-checks';
import type { ExampleDraft, SourceRead, Split } from './types';

export interface ValidationLimits extends TextLimits {
  /** Largest/smallest label count in a split above this ratio: warning. */
  imbalanceRatio: number;
  /** Splits smaller than this are not judged for balance (too few rows to mean anything). */
  balanceMinRows: number;
  /** The paper's pools need 400 + 100 training rows. */
  poolRows: number;
}

export const DEFAULT_LIMITS: ValidationLimits = { ...DEFAULT_TEXT_LIMITS, imbalanceRatio: 3, balanceMinRows: 20, poolRows: 500 };

export interface SplitCounts {
  language: string;
  split: Split;
  total: number;
  labels: Record<string, number>;
}

export interface Validation {
  labels: string[];
  counts: SplitCounts[];
}

export function validate(read: SourceRead, limits: ValidationLimits, issues: IssueList): Validation {
  for (const d of read.examples) checkText(d, limits, issues);
  const labels = checkLabels(read, issues);
  checkIds(read.examples, issues);
  checkDuplicateTexts(read.examples, issues);
  const counts = countSplits(read.examples, labels);
  checkBalance(counts, labels, limits, issues);
  checkSplits(counts, limits, issues);
  return { labels, counts };
}

function checkLabels(read: SourceRead, issues: IssueList): string[] {
  const withLabel = read.examples.filter((d) => d.label !== '');
  const train = withLabel.filter((d) => d.split === 'train');
  const declared = read.declaredLabels;
  const labels = declared ?? [...new Set((train.length > 0 ? train : withLabel).map((d) => d.label))].sort();
  const known = new Set(labels);
  const origin = declared
    ? read.format === 'nusax' || read.format === 'xnli'
      ? `the ${read.format === 'nusax' ? 'NusaX' : 'XNLI'} label set (pass --labels to change it)`
      : 'the labels given with --labels'
    : 'the labels of the training split';
  for (const d of withLabel) {
    if (!known.has(d.label)) issues.add('label-unknown', `label "${d.label}" is not one of ${labels.join(', ')} (${origin})`, { file: d.sourceFile, line: d.sourceLine });
  }
  if (!declared && withLabel.length >= 50) {
    const tally = tallyBy(withLabel, (d) => d.label);
    for (const [label, n] of tally) {
      if (n !== 1 || !known.has(label)) continue;
      const d = withLabel.find((x) => x.label === label)!;
      issues.add('label-rare', `label "${label}" occurs only once in ${withLabel.length} rows: a typo?`, { file: d.sourceFile, line: d.sourceLine });
    }
  }
  // A declared set speaks for itself (a test-only file may hold one label); an inferred one must
  // show at least two labels in the data.
  const present = new Set(withLabel.map((d) => d.label).filter((l) => known.has(l)));
  const usable = declared ? new Set(declared) : present;
  if (read.examples.length > 0 && usable.size < 2) {
    issues.add('labels-too-few', `classification needs at least two labels; found ${usable.size === 0 ? 'none' : `only "${[...usable][0]}"`}`);
  }
  return labels;
}

function checkIds(examples: readonly ExampleDraft[], issues: IssueList): void {
  const first = new Map<string, ExampleDraft>();
  for (const d of examples) {
    const key = `${d.language}\u0000${d.split}\u0000${d.sourceId}`;
    const earlier = first.get(key);
    if (earlier) issues.add('id-duplicate', `id "${d.sourceId}" was already used at ${at(earlier)} (${d.language}, ${d.split})`, { file: d.sourceFile, line: d.sourceLine });
    else first.set(key, d);
  }
}

/** Same text twice: a duplicate, a train/eval leak, or one text with two labels. */
function checkDuplicateTexts(examples: readonly ExampleDraft[], issues: IssueList): void {
  const seen = new Map<string, ExampleDraft>();
  for (const d of examples) {
    const fields = textFields(d).map(([, v]) => normalise(v));
    if (fields.some((f) => f === '')) continue;
    const key = `${d.language}\u0000${fields.join('\u0000')}`;
    const earlier = seen.get(key);
    if (!earlier) {
      seen.set(key, d);
      continue;
    }
    const where = { file: d.sourceFile, line: d.sourceLine };
    const what = d.text !== null ? 'text' : 'premise/hypothesis pair';
    if (earlier.label !== d.label) {
      issues.add('text-conflicting-labels', `the same ${what} is at ${at(earlier)} with label "${earlier.label}", here "${d.label}"`, where);
    } else if (earlier.split !== d.split && (earlier.split === 'train' || d.split === 'train')) {
      issues.add('text-overlap', `the same ${what} is in ${earlier.split} (${at(earlier)}) and ${d.split}: evaluation would see a training example`, where);
    } else {
      const scope = earlier.split === d.split ? `in ${d.split}` : `across ${earlier.split} and ${d.split}`;
      issues.add('text-duplicate', `duplicate ${what} ${scope}: first at ${at(earlier)}`, where);
    }
  }
}

function countSplits(examples: readonly ExampleDraft[], labels: readonly string[]): SplitCounts[] {
  const byKey = new Map<string, SplitCounts>();
  for (const d of examples) {
    const key = `${d.language}\u0000${d.split}`;
    let c = byKey.get(key);
    if (!c) {
      c = { language: d.language, split: d.split, total: 0, labels: Object.fromEntries(labels.map((l) => [l, 0])) };
      byKey.set(key, c);
    }
    c.total++;
    c.labels[d.label] = (c.labels[d.label] ?? 0) + 1;
  }
  const order: Record<Split, number> = { train: 0, valid: 1, test: 2 };
  return [...byKey.values()].sort((a, b) => a.language.localeCompare(b.language) || order[a.split] - order[b.split]);
}

function checkBalance(counts: readonly SplitCounts[], labels: readonly string[], limits: ValidationLimits, issues: IssueList): void {
  for (const c of counts) {
    if (c.total < limits.balanceMinRows) continue;
    const missing = labels.filter((l) => (c.labels[l] ?? 0) === 0);
    if (missing.length > 0) {
      issues.add('label-missing-in-split', `${c.language} ${c.split} (${c.total} rows) has no "${missing.join('", "')}" examples`);
      continue;
    }
    const n = labels.map((l) => c.labels[l]!);
    const [most, least] = [Math.max(...n), Math.min(...n)];
    if (most / least > limits.imbalanceRatio) {
      const detail = labels.map((l) => `${l} ${c.labels[l]}`).join(', ');
      issues.add('label-imbalance', `${c.language} ${c.split} is imbalanced (${detail}; ratio ${(most / least).toFixed(1)} > ${limits.imbalanceRatio})`);
    }
  }
}

function checkSplits(counts: readonly SplitCounts[], limits: ValidationLimits, issues: IssueList): void {
  for (const language of [...new Set(counts.map((c) => c.language))]) {
    const train = counts.find((c) => c.language === language && c.split === 'train');
    if (!train) issues.add('split-no-train', `${language} has no training split: it can be evaluated on, but no pools can be drawn from it`);
    else if (train.total < limits.poolRows) {
      issues.add('split-train-small', `${language} train has ${train.total} rows; the paper's pools use ${limits.poolRows} (400 discovery + 100 tuning), so choose smaller pools`);
    }
  }
}

function normalise(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ');
}

function at(d: ExampleDraft): string {
  return `${d.sourceFile}:${d.sourceLine}`;
}

function tallyBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
}
