// The paper-style tables of an experiment, each a value mean ± std over seeds:
//   1. target test accuracy per (target, n) and method (A0 = the competence checkpoint zero-shot)
//   2. source test accuracy after tuning (retention; the competence checkpoint's is the baseline)
//   3. forgetting: competence source accuracy − source accuracy after tuning
//   4. the validation choice between Circuit and NearZero, beside the paper's post-hoc best-by-test
//   5. cost: trainable fraction and training wall time per method
// plus CSV files (summary per cell group, every run, every choice) for further analysis.

import { depthTag } from '../depth-tag';
import { HEAD_METHODS, METHOD_LABELS, isHeadMethod, type TransferMethod } from '../methods';
import { bestOnTest, chooseOnValidation, chosenRun, type Choice } from './choice';
import type { ExperimentResults, TransferResult } from './results';
import { formatStat, stat, type Stat } from './stats';

export interface Table {
  title: string;
  note?: string;
  header: string[];
  rows: string[][];
}

export interface ExperimentReport {
  name: string;
  tables: Table[];
  /** File name → CSV text. */
  csv: Record<string, string>;
  /** Cells that have no result yet (not run, failed, blocked). */
  missing: { key: string; status: string }[];
}

interface Column {
  label: string;
  method: TransferMethod | 'chosen';
  /** The depth the cells asked for; the label names the depths their circuits reached. */
  depth: number | null;
  depthReached: number[];
}

type Metric = (r: TransferResult) => number | undefined;
const targetAcc: Metric = (r) => r.targetTest?.accuracy;
const targetF1: Metric = (r) => r.targetTest?.macroF1;
const sourceAcc: Metric = (r) => r.sourceTest?.accuracy;

const FLAT_ORDER: TransferMethod[] = ['direct', 'full', 'norms'];

/** The distinct depths the finished runs of these methods at asked depth `d` reached, ascending. */
function reachedDepths(results: ExperimentResults, methods: readonly TransferMethod[], d: number): number[] {
  const done = results.transfers.filter((r) => r.status === 'done' && r.depth === d && methods.includes(r.method) && r.depthReached !== undefined);
  return [...new Set(done.map((r) => r.depthReached!))].sort((a, b) => a - b);
}

function columns(results: ExperimentResults): Column[] {
  const { methods, depth } = results.spec;
  const cols: Column[] = FLAT_ORDER.filter((m) => methods.includes(m)).map((m) => ({ label: METHOD_LABELS[m], method: m, depth: null, depthReached: [] }));
  for (const d of depth) {
    for (const m of HEAD_METHODS.filter((x) => methods.includes(x))) {
      const reached = reachedDepths(results, [m], d);
      cols.push({ label: `${METHOD_LABELS[m]} ${depthTag(d, reached)}`, method: m, depth: d, depthReached: reached });
    }
    if (methods.includes('circuit') && methods.includes('nearzero')) {
      const reached = reachedDepths(results, ['circuit', 'nearzero'], d);
      cols.push({ label: `CT-SFT (val-chosen) ${depthTag(d, reached)}`, method: 'chosen', depth: d, depthReached: reached });
    }
  }
  return cols;
}

function groups(results: ExperimentResults): { target: string; n: number; runs: TransferResult[] }[] {
  const out: { target: string; n: number; runs: TransferResult[] }[] = [];
  for (const target of results.spec.targets) for (const n of results.spec.n) out.push({ target, n, runs: results.transfers.filter((r) => r.target === target && r.n === n && r.status === 'done') });
  return out;
}

/** Per-seed values of a column within a (target, n) group. */
function columnValues(runs: readonly TransferResult[], col: Column, metric: Metric): number[] {
  if (col.method === 'chosen') return chooseOnValidation(runs.filter((r) => r.depth === col.depth)).map((c) => metric(chosenRun(c)) ?? NaN);
  return runs.filter((r) => r.method === col.method && r.depth === col.depth).map((r) => metric(r) ?? NaN);
}

function competenceStat(results: ExperimentResults, language: string): Stat | null {
  return stat(results.competence.filter((c) => c.status === 'done').map((c) => c.test.get(language)?.accuracy ?? NaN));
}

/** Forgetting per seed: the seed's competence source accuracy minus the run's. */
function forgetting(results: ExperimentResults): Metric {
  const base = new Map(results.competence.map((c) => [c.seed, c.test.get(results.spec.source)?.accuracy]));
  return (r) => {
    const before = base.get(r.seed);
    return before === undefined || r.sourceTest === undefined ? undefined : before - r.sourceTest.accuracy;
  };
}

function methodTable(results: ExperimentResults, title: string, note: string, baseline: (target: string) => Stat | null, metric: Metric): Table {
  const cols = columns(results);
  return {
    title,
    note,
    header: ['target', 'n', 'Comp.', ...cols.map((c) => c.label)],
    rows: groups(results).map((g) => [g.target, String(g.n), formatStat(baseline(g.target)), ...cols.map((c) => formatStat(stat(columnValues(g.runs, c, metric))))]),
  };
}

function choiceTable(results: ExperimentResults): { table: Table; choices: (Choice & { target: string; n: number; depth: number })[] } {
  const all: (Choice & { target: string; n: number; depth: number })[] = [];
  const rows: string[][] = [];
  for (const g of groups(results)) {
    for (const depth of results.spec.depth) {
      const choices = chooseOnValidation(g.runs.filter((r) => r.depth === depth));
      if (choices.length === 0) continue;
      all.push(...choices.map((c) => ({ ...c, target: g.target, n: g.n, depth })));
      const circuitPicks = choices.filter((c) => c.chosen === 'circuit').length;
      const acc = (pick: (c: Choice) => TransferResult) => formatStat(stat(choices.map((c) => pick(c).targetTest?.accuracy ?? NaN)));
      rows.push([
        g.target,
        String(g.n),
        depthTag(depth, reachedDepths(results, ['circuit', 'nearzero'], depth)),
        `Circuit ${circuitPicks}/${choices.length}, NearZero ${choices.length - circuitPicks}/${choices.length}`,
        acc((c) => c.circuit),
        acc((c) => c.nearzero),
        acc(chosenRun),
        acc(bestOnTest),
      ]);
    }
  }
  return {
    choices: all,
    table: {
      title: 'Circuit or NearZero, chosen on the target validation split',
      note: 'Per seed the method with the higher validation accuracy is chosen (ties: Circuit); the last column is the paper\'s post-hoc pick by test accuracy, which no user can make in advance.',
      header: ['target', 'n', 'depth', 'chosen on validation', 'Circuit test', 'NearZero test', 'val-chosen test', 'best-on-test (post hoc)'],
      rows,
    },
  };
}

function costTable(results: ExperimentResults): Table {
  const rows: string[][] = [];
  for (const col of columns(results).filter((c) => c.method !== 'chosen')) {
    const runs = results.transfers.filter((r) => r.status === 'done' && r.method === col.method && r.depth === col.depth);
    if (runs.length === 0) continue;
    const fraction = stat(runs.map((r) => r.trainableFraction ?? NaN));
    rows.push([col.label, fraction ? `${(100 * fraction.mean).toFixed(3)}%` : '—', formatStat(stat(runs.map((r) => r.trainSeconds ?? NaN)), 1), String(runs.length)]);
  }
  return { title: 'Cost per method', note: 'Trainable parameters as a share of all model parameters; training wall time per run (all n and targets pooled).', header: ['method', 'trainable', 'train seconds', 'runs'], rows };
}

export function buildReport(results: ExperimentResults): ExperimentReport {
  const { spec } = results;
  const seeds = results.competence.filter((c) => c.status === 'done').length;
  const over = `mean ± std over ${seeds} seed(s) (${spec.seeds.join(', ')})`;
  const choice = choiceTable(results);
  const tables = [
    methodTable(results, `Target test accuracy (${spec.source} → target)`, `${over}; Comp. = the competence checkpoint zero-shot on the target (A0).`, (t) => competenceStat(results, t), targetAcc),
    methodTable(results, `${spec.source} test accuracy after tuning (retention)`, `${over}; Comp. = the competence checkpoint on ${spec.source} (the baseline).`, () => competenceStat(results, spec.source), sourceAcc),
    methodTable(results, `Forgetting (${spec.source} accuracy lost)`, `${over}; competence ${spec.source} accuracy − accuracy after tuning, per seed (negative: improved).`, () => null, forgetting(results)),
    methodTable(results, 'Target test macro-F1', over, (t) => stat(results.competence.filter((c) => c.status === 'done').map((c) => c.test.get(t)?.macroF1 ?? NaN)), targetF1),
    ...(choice.table.rows.length > 0 ? [choice.table] : []),
    costTable(results),
  ];
  const missing = [
    ...results.competence.filter((c) => c.status !== 'done').map((c) => ({ key: `seed${c.seed}/competence`, status: c.status })),
    ...results.transfers.filter((r) => r.status !== 'done').map((r) => ({ key: r.key, status: r.status })),
  ];
  return { name: spec.name, tables, csv: csvFiles(results, choice.choices), missing };
}

function csv(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) => {
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}

/** One (target, n) and column of the tables: every statistic over seeds (summary.csv, the workbench's charts). */
export interface SummaryRow {
  target: string;
  n: number;
  method: TransferMethod | 'chosen';
  /** Asked for; `depthReached` lists what the runs' circuits reached (empty: not a head method, or not measured). */
  depth: number | null;
  depthReached: number[];
  label: string;
  targetAcc: Stat | null;
  targetF1: Stat | null;
  targetValid: Stat | null;
  /** Source test accuracy after tuning (retention). */
  sourceAcc: Stat | null;
  forgetting: Stat | null;
  trainableFraction: Stat | null;
  trainSeconds: Stat | null;
}

/** Per target: the competence checkpoint's zero-shot accuracy on it (A0) and on the source (the retention baseline). */
export interface CompetenceSummary {
  target: string;
  a0: Stat | null;
  a0F1: Stat | null;
  source: Stat | null;
}

export function summaryRows(results: ExperimentResults): SummaryRow[] {
  const lost = forgetting(results);
  return groups(results).flatMap((g) =>
    columns(results).map((col) => {
      const s = (m: Metric) => stat(columnValues(g.runs, col, m));
      const runs = g.runs.filter((r) => r.method === col.method && r.depth === col.depth);
      return {
        target: g.target,
        n: g.n,
        method: col.method,
        depth: col.depth,
        depthReached: col.depthReached,
        label: col.label,
        targetAcc: s(targetAcc),
        targetF1: s(targetF1),
        targetValid: s((r) => r.targetValid?.accuracy),
        sourceAcc: s(sourceAcc),
        forgetting: s(lost),
        trainableFraction: stat(runs.map((r) => r.trainableFraction ?? NaN)),
        trainSeconds: stat(runs.map((r) => r.trainSeconds ?? NaN)),
      };
    }),
  );
}

export function competenceSummary(results: ExperimentResults): CompetenceSummary[] {
  const done = results.competence.filter((c) => c.status === 'done');
  return results.spec.targets.map((target) => ({
    target,
    a0: competenceStat(results, target),
    a0F1: stat(done.map((c) => c.test.get(target)?.macroF1 ?? NaN)),
    source: competenceStat(results, results.spec.source),
  }));
}

function csvFiles(results: ExperimentResults, choices: (Choice & { target: string; n: number; depth: number })[]): Record<string, string> {
  const a0 = new Map(competenceSummary(results).map((c) => [c.target, c.a0]));
  const summary: (string | number | undefined)[][] = [];
  let group = '';
  for (const r of summaryRows(results)) {
    if (`${r.target}/${r.n}` !== group) {
      group = `${r.target}/${r.n}`;
      const a = a0.get(r.target);
      summary.push([r.target, r.n, 'competence', '', '', a?.count, a?.mean, a?.std, '', '', '', '', '', '', '', '', '', '']);
    }
    summary.push([
      r.target, r.n, r.method, r.depth ?? '', r.depthReached.join(' '), r.targetAcc?.count, r.targetAcc?.mean, r.targetAcc?.std, r.targetF1?.mean, r.targetF1?.std, r.targetValid?.mean,
      r.sourceAcc?.mean, r.sourceAcc?.std, r.forgetting?.mean, r.forgetting?.std, r.trainableFraction?.mean, r.trainSeconds?.mean, isHeadMethod(r.method as TransferMethod) ? 'head' : '',
    ]);
  }
  return {
    'summary.csv': csv(
      ['target', 'n', 'method', 'depth_asked', 'depth_reached', 'seeds', 'target_acc_mean', 'target_acc_std', 'target_f1_mean', 'target_f1_std', 'target_valid_acc_mean', 'source_acc_mean', 'source_acc_std', 'forgetting_mean', 'forgetting_std', 'trainable_fraction', 'train_seconds_mean', 'scope'],
      summary,
    ),
    'runs.csv': csv(
      ['key', 'run', 'status', 'seed', 'target', 'n', 'method', 'depth_asked', 'depth_reached', 'target_acc', 'target_f1', 'target_valid_acc', 'source_acc', 'trainable_fraction', 'train_seconds', 'heads'],
      [
        ...results.competence.map((c) => [`seed${c.seed}/competence`, c.runId, c.status, c.seed, '', '', 'competence', '', '', '', '', '', c.test.get(results.spec.source)?.accuracy, 1, '', '']),
        ...results.transfers.map((r) => [r.key, r.runId, r.status, r.seed, r.target, r.n, r.method, r.depth, r.depthReached, r.targetTest?.accuracy, r.targetTest?.macroF1, r.targetValid?.accuracy, r.sourceTest?.accuracy, r.trainableFraction, r.trainSeconds, r.heads]),
      ],
    ),
    'choice.csv': csv(
      ['target', 'n', 'depth_asked', 'depth_reached', 'seed', 'chosen', 'circuit_valid', 'nearzero_valid', 'circuit_test', 'nearzero_test', 'chosen_test', 'best_on_test'],
      choices.map((c) => [c.target, c.n, c.depth, c.circuit.depthReached, c.seed, c.chosen, c.circuit.targetValid?.accuracy, c.nearzero.targetValid?.accuracy, c.circuit.targetTest?.accuracy, c.nearzero.targetTest?.accuracy, chosenRun(c).targetTest?.accuracy, bestOnTest(c).targetTest?.accuracy]),
    ),
  };
}

/**
 * One (target, n) as rows of methods — the demo's comparison: target accuracy and macro-F1, source
 * accuracy after tuning and forgetting, trainable share; the competence checkpoint first (A0).
 */
export function methodComparison(results: ExperimentResults, target: string, n: number): Table {
  const { source } = results.spec;
  const runs = groups(results).find((g) => g.target === target && g.n === n)?.runs ?? [];
  const lost = forgetting(results);
  const done = results.competence.filter((c) => c.status === 'done');
  const rows: string[][] = [
    [
      'Competence checkpoint (zero-shot on target)',
      '—',
      formatStat(competenceStat(results, target)),
      formatStat(stat(done.map((c) => c.test.get(target)?.macroF1 ?? NaN))),
      formatStat(competenceStat(results, source)),
      '—',
    ],
  ];
  for (const col of columns(results)) {
    const s = (m: Metric) => formatStat(stat(columnValues(runs, col, m)));
    const share = stat(runs.filter((r) => r.method === col.method && r.depth === col.depth).map((r) => r.trainableFraction ?? NaN));
    rows.push([col.label, share ? `${(100 * share.mean).toFixed(2)}%` : '—', s(targetAcc), s(targetF1), s(sourceAcc), s(lost)]);
  }
  return {
    title: `${source} → ${target}, n = ${n}`,
    note: `test splits; mean ± std over ${done.length} seed(s)`,
    header: ['method', 'trainable', `${target} accuracy`, `${target} macro-F1`, `${source} accuracy`, `${source} forgetting`],
    rows,
  };
}
