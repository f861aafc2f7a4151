// The forgetting comparison, built by the experiment report's own code (results.ts, report.ts) so
// the workbench and `lontar experiment report` never disagree. An experiment is read as it is; a
// competence run launched from the workbench, with the transfers launched on it, is read as a
// one-anchor experiment: every seed of its transfers compares against the same competence
// checkpoint (its source accuracy is the retention baseline, its target accuracy A0).

import type { EvaluationRecord, RunRecord, Workspace } from '../store/index';
import { transferKey } from '../transfer/experiment/cells';
import { experimentSchema } from '../transfer/experiment/experiment-file';
import { buildReport, competenceSummary, summaryRows } from '../transfer/experiment/report';
import { collectResults, experimentNames, type ExperimentResults, type Score, type TransferResult } from '../transfer/experiment/results';
import { HEAD_METHODS, METHODS, type TransferMethod } from '../transfer/methods';
import type { Comparison } from './contract/index';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Runs that belong to an experiment (named `<experiment>/…`). */
function inExperiment(ws: Workspace): (run: RunRecord) => boolean {
  const prefixes = experimentNames(ws).map((n) => `${n}/`);
  return (run) => run.name !== null && prefixes.some((p) => run.name!.startsWith(p));
}

/** Competence runs launched on their own (not as an experiment's cell). */
export function pipelineAnchors(ws: Workspace): RunRecord[] {
  const owned = inExperiment(ws);
  return ws.runs.list({ kind: 'competence' }).filter((r) => !owned(r));
}

export function transfersOf(ws: Workspace, competenceRunId: number): RunRecord[] {
  return ws.runs.list({ kind: 'transfer' }).filter((r) => r.config['competenceRunId'] === competenceRunId);
}

export function experimentSummaries(ws: Workspace): { name: string; runs: number; done: number }[] {
  return experimentNames(ws).map((name) => {
    const cells = ws.runs.list().filter((r) => r.name?.startsWith(`${name}/`));
    const latest = new Map(cells.map((r) => [r.name, r]));
    return { name, runs: latest.size, done: [...latest.values()].filter((r) => r.status === 'done').length };
  });
}

function score(evals: readonly EvaluationRecord[], language: string, split: string): Score | undefined {
  const e = evals.findLast((x) => x.language === language && x.split === split);
  return e && e.accuracy !== null ? { accuracy: e.accuracy, macroF1: e.macroF1 ?? NaN } : undefined;
}

const byLanguage = (evals: readonly EvaluationRecord[], split: string) =>
  new Map(evals.filter((e) => e.split === split && e.accuracy !== null).map((e) => [e.language, { accuracy: e.accuracy!, macroF1: e.macroF1 ?? NaN }]));

/** One competence run and its transfers as the results of a one-anchor experiment. */
export function pipelineResults(ws: Workspace, anchor: RunRecord): ExperimentResults {
  const source = String(anchor.config['source']);
  const anchorEvals = anchor.status === 'done' ? ws.evaluations.byRun(anchor.id) : [];
  const latest = new Map<string, TransferResult>();
  for (const run of transfersOf(ws, anchor.id)) {
    const c = run.config;
    const method = c['method'] as TransferMethod;
    const depth = HEAD_METHODS.includes(method) ? (num(c['depth']) ?? 0) : null;
    const target = String(c['target']);
    const n = num(c['n']) ?? 0;
    const key = transferKey(run.seed, target, n, method, depth ?? undefined);
    const evals = run.status === 'done' ? ws.evaluations.byRun(run.id) : [];
    const extra = evals[0]?.extra ?? {};
    const result: TransferResult = {
      key,
      seed: run.seed,
      target,
      n,
      method,
      depth,
      ...(depth !== null && num(extra['depth']) !== undefined && { depthReached: num(extra['depth']) }),
      runId: run.id,
      status: run.status,
      targetTest: score(evals, target, 'test'),
      targetValid: score(evals, target, 'valid'),
      sourceTest: score(evals, source, 'test'),
      trainableFraction: num(extra['trainableFraction']),
      trainSeconds: num(extra['trainSeconds']),
      ...(typeof extra['heads'] === 'string' && { heads: extra['heads'] }),
    };
    // The same cell launched again: a finished run outranks an unfinished one, then the newest wins.
    const before = latest.get(key);
    if (!before || before.status !== 'done' || result.status === 'done') latest.set(key, result);
  }
  const transfers = [...latest.values()];
  const sorted = <T>(xs: Iterable<T>, order?: readonly T[]) => [...new Set(xs)].sort((a, b) => (order ? order.indexOf(a) - order.indexOf(b) : Number(a) - Number(b)));
  const targets = [...new Set(transfers.map((r) => r.target))];
  const depths = sorted(transfers.filter((r) => r.depth !== null).map((r) => r.depth!));
  // Seeds with a finished run (a cancelled seed's run is still listed as missing).
  const finished = transfers.filter((r) => r.status === 'done');
  const seeds = sorted((finished.length > 0 ? finished : transfers).map((r) => r.seed));
  const spec = experimentSchema.parse({
    name: `run-${anchor.id}`,
    // The anchor names its model and dataset by id; the spec's paths are not read.
    model: `model ${anchor.modelId ?? '?'}`,
    dataset: `dataset ${anchor.datasetId ?? '?'}`,
    source,
    targets: targets.length > 0 ? targets : [source],
    n: transfers.length > 0 ? sorted(transfers.map((r) => r.n)) : [num(anchor.config['nSrc']) ?? 1],
    methods: transfers.length > 0 ? sorted(transfers.map((r) => r.method), METHODS) : ['full'],
    seeds: seeds.length > 0 ? seeds : [anchor.seed],
    depth: depths.length > 0 ? depths : [0],
  });
  const competence = spec.seeds.map((seed) => ({ seed, runId: anchor.id, status: anchor.status, test: byLanguage(anchorEvals, 'test'), valid: byLanguage(anchorEvals, 'valid') }));
  // Expansion is told per run here (each run's depthReached); no experiment-level discoveries.
  return { spec, competence, discoveries: [], transfers };
}

export function comparisonOf(kind: Comparison['kind'], name: string, results: ExperimentResults): Comparison {
  const report = buildReport(results);
  return {
    kind,
    name,
    source: results.spec.source,
    targets: results.spec.targets,
    seeds: results.spec.seeds,
    points: summaryRows(results).map((r) => ({ ...r, depth: r.depth ?? null })),
    competence: competenceSummary(results).map(({ target, a0, source }) => ({ target, a0, source })),
    tables: report.tables.map((t) => ({ title: t.title, note: t.note ?? null, header: t.header, rows: t.rows })),
    missing: report.missing,
  };
}

export function experimentComparison(ws: Workspace, name: string): Comparison {
  return comparisonOf('experiment', name, collectResults(ws, name));
}

export function pipelineComparison(ws: Workspace, anchor: RunRecord): Comparison {
  const name = anchor.name ?? `competence run ${anchor.id}`;
  const comparison = comparisonOf('pipeline', name, pipelineResults(ws, anchor));
  // Every seed shares the one anchor: report it once, under its own name.
  const transfers = comparison.missing.filter((m) => !m.key.endsWith('/competence'));
  return { ...comparison, missing: anchor.status === 'done' ? transfers : [{ key: name, status: anchor.status }, ...transfers] };
}
