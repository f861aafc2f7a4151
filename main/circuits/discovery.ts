// Circuit discovery (CT-SFT §3.5): score every head against the logits (iteration 0), keep the top
// p%, then expand backwards: iteration d ≥ 1 targets the heads iteration d − 1 selected (not the
// whole circuit so far), up to a maximum depth. Candidates at iteration d are heads in layers below
// the deepest target that are not yet in the circuit; a candidate's score is its mean over the
// targets it can reach (targets in later layers) and over the discovery examples. Ranking is by the
// signed mean (most positive first). Expansion stops early when no candidate is left (every target
// in layer 0, or every head below the targets already kept); the run says so and why.

import type { CdOptions, SignCleanup } from '../engine/ops/op-def';
import { hostTensor } from '../engine/tensor';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import { Predictor } from '../models/classification/predictor';
import type { CircuitSession } from './circuit-session';
import { selectExampleSets } from './example-sets';
import { allHeads, headKey, type Head } from './heads';
import { computeMeanBaseline, type MeanBaseline } from './mean-baseline';
import { buildRelevanceGraph, MEAN_INPUT, rowPathApplies, sourceHeadsFeed, SOURCES_INPUT, type RelevanceSpec, type RelevanceTargets } from './relevance-graph';
import { RowTraces } from './row-trace';
import { selectionSize, topHeads } from './selection';

export interface DiscoveryOptions {
  seed: number;
  /** Fraction of all heads kept per iteration (paper: 0.02). */
  selectionRatio: number;
  /** Iterations after the first (paper: up to 2; capped at 3). */
  maxDepth: number;
  meanSize: number;
  discoverySize: number;
  /** Which score ranks heads: the paper's directional relevance, or CD-T's magnitude ratio (Eq. 2). */
  rankBy: 'directional' | 'magnitude';
  cd: CdOptions;
  sourceScope: RelevanceSpec['sourceScope'];
  /** Rows per relevance run (default SOURCE_ROWS_PER_RUN); only speed depends on it. */
  sourceRowsPerRun?: number;
}

export interface HeadScore {
  head: Head;
  directional: number;
  magnitude: number;
}

export interface Iteration {
  depth: number;
  targets: 'logits' | readonly Head[];
  /** Every candidate's score (non-candidates are absent). */
  scores: HeadScore[];
  selected: Head[];
  seconds: number;
}

/**
 * `done` of `total` in the phase's own units (layers, batches); `fraction`, where given, is the share
 * of the phase's work done when its units cost unequal time (a source layer's relevance runs cost in
 * proportion to the layers above it), so an ETA from it is true.
 */
export type Progress = (phase: string, done: number, total: number, fraction?: number) => void;

/**
 * Work of scoring source layer `layer` when targets lie up to layer `deepest`, on each β path. Over the
 * sequence, the runs propagate β through the layers above, plus about one layer's worth of fixed cost
 * (48.5 / 24.3 / 6.5 s for source layers 0 / 12 / 23 at the Qwen2.5-0.5B shape, bench:scale). On the
 * label row, with the clean forward traced once per batch, a run is β in one row per example through
 * the layers above alone: 0.523 / 0.261 / 0.016 s there.
 */
export function sourceLayerWork(layer: number, deepest: number, path: 'row' | 'sequence'): number {
  return path === 'row' ? deepest - layer : deepest - layer + 1;
}

/**
 * Rows (sources × examples × tokens) one relevance run pushes through each GEMM. A layer's heads are
 * split over several runs above it: on a 2-core CPU at Qwen2.5-0.5B shapes the β GEMMs slow down as
 * they grow (plain MatMul: 366 GFLOP/s at 1,280 rows, 285 at 17,920), and 7 of 14 heads per run cost
 * 11% less per head than all 14 even though each run repeats the clean forward (bench:discovery).
 */
export const SOURCE_ROWS_PER_RUN = 9000;

/** Heads 0..H−1 in contiguous groups of near-equal size, each within the row budget. */
export function sourceGroups(numHeads: number, rowsPerSource: number, rowsPerRun = SOURCE_ROWS_PER_RUN): number[][] {
  const perRun = Math.max(1, Math.min(numHeads, Math.floor(rowsPerRun / rowsPerSource)));
  const groups = Math.ceil(numHeads / perRun);
  return Array.from({ length: groups }, (_, g) => {
    const [from, to] = [Math.floor((g * numHeads) / groups), Math.floor(((g + 1) * numHeads) / groups)];
    return Array.from({ length: to - from }, (_, i) => from + i);
  });
}

/** Rows one source adds to each β GEMM: the batch's label rows on the label-row path, else every token. */
export function rowsPerSource(session: CircuitSession, options: Pick<DiscoveryOptions, 'sourceScope' | 'cd'>): number {
  return rowPathApplies(session.model.config, options) ? session.batchSize : session.batchSize * session.seq;
}

/**
 * Mean scores per head of one source layer over the discovery examples. With `traces` (the label-row
 * path) each run reads the clean forward of its batch from them instead of recomputing it.
 */
async function scoreLayer(session: CircuitSession, mean: MeanBaseline, examples: readonly ClassificationExample[], layer: number, targets: RelevanceTargets, options: DiscoveryOptions, traces?: RowTraces): Promise<HeadScore[]> {
  const H = session.model.config.numHeads;
  const groups = sourceGroups(H, rowsPerSource(session, options), options.sourceRowsPerRun);
  const meanFeed = { [MEAN_INPUT]: hostTensor(session.floatType, [1, mean.seq, H, mean.headDim], mean.layers[layer]!) };
  const sums = Array.from({ length: H }, () => ({ directional: 0, magnitude: 0 }));
  let n = 0;
  for (const [index, batch] of session.batches(examples).entries()) {
    for (const heads of groups) {
      const spec: RelevanceSpec = { sourceLayer: layer, targets, cd: options.cd, sourceScope: options.sourceScope, sources: heads.length, ...(traces && { trace: 'fed' as const }) };
      const key = `relevance|${layer}|${heads.length}|${targets.kind === 'logits' ? 'logits' : targets.heads.map(headKey).join(',')}|${options.cd.attention}|${options.sourceScope}|${options.cd.signCleanup}|${spec.trace ?? 'computed'}`;
      const feeds = { ...meanFeed, [SOURCES_INPUT]: sourceHeadsFeed(session.floatType, heads, H), ...traces?.feeds(index, layer) };
      const out = await session.run(key, () => buildRelevanceGraph(session, spec), batch, feeds, ['directional', 'magnitude']);
      const [dir, mag] = [out.directional!.data as Float32Array, out.magnitude!.data as Float32Array];
      const [B, nT] = [session.batchSize, out.directional!.shape[2]!];
      batch.rows.forEach((_, b) => {
        heads.forEach((head, s) => {
          for (let t = 0; t < nT; t++) {
            sums[head]!.directional += dir[(s * B + b) * nT + t]! / nT;
            sums[head]!.magnitude += mag[(s * B + b) * nT + t]! / nT;
          }
        });
      });
    }
    n += batch.rows.length;
  }
  // A source layer's graphs serve only this loop (the next iteration's targets differ): releasing them
  // frees their arenas, which at Qwen2.5-0.5B size are gigabytes each and up to six were kept.
  await session.releaseGraphs(`relevance|${layer}|`);
  return sums.map((x, head) => ({ head: { layer, head }, directional: x.directional / n, magnitude: x.magnitude / n }));
}

/** How far expansion went and why it stopped there. */
export interface Expansion {
  asked: number;
  /** The last iteration that selected heads (0: the logit iteration only). */
  reached: number;
  stop: 'asked-depth' | 'targets-in-layer-0' | 'no-candidates';
  /** The stop in words, for logs, the CLI and the Circuits view. */
  reason: string;
}

export interface DiscoveryRun {
  sets: ReturnType<typeof selectExampleSets>;
  mean: MeanBaseline;
  iterations: Iteration[];
  circuit: Head[];
  expansion: Expansion;
  timings: Record<string, number>;
}

function stopReason(asked: number, reached: number, stop: Expansion['stop'], targets: readonly Head[]): string {
  const at = `expansion stopped at depth ${reached} of ${asked} asked`;
  if (stop === 'targets-in-layer-0') return `${at}: every target of depth ${reached + 1} (${targets.map(headKey).join(' ')}) is in layer 0, so no earlier head can feed it`;
  if (stop === 'no-candidates') return `${at}: every head in the layers below the targets (${targets.map(headKey).join(' ')}) is already in the circuit`;
  return asked > 3 ? `reached depth ${reached}, the cap (${asked} asked)` : `reached the asked depth ${reached}`;
}

export async function discover(
  session: CircuitSession,
  pool: readonly ClassificationExample[],
  extraLengthExamples: readonly ClassificationExample[],
  options: DiscoveryOptions,
  progress: Progress = () => undefined,
): Promise<DiscoveryRun> {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = (timings[name] ?? 0) + (performance.now() - t0) / 1000;
    }
  };

  const predictor = Predictor.create(session.model, session.task, { runner: session.runner, batchSize: session.batchSize, maxLength: session.encoder.maxLength });
  const predictions = await timed('predict pool', () => predictor.predict(pool, (d, t) => progress('predicting the pool', d, t)));
  await predictor.close();
  const sets = selectExampleSets(pool, predictions, { mean: options.meanSize, discovery: options.discoverySize }, options.seed);
  if (sets.mean.length === 0 || sets.discovery.length === 0) {
    throw new Error(`the checkpoint predicts no pool example correctly (${pool.length} examples): nothing to discover on`);
  }
  session.fixLength([...sets.mean, ...sets.discovery, ...extraLengthExamples]);
  const mean = await timed('mean baseline', () => computeMeanBaseline(session, sets.mean));

  const found = await findCircuit(session, mean, sets.discovery, options, progress, timed);
  return { sets, mean, ...found, timings };
}

type Timed = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/**
 * The iterations on the examples scored, with μ already computed (on the label-row path each batch's
 * clean forward is traced first and kept for every run). `discover` after its example selection;
 * bench:scale times it at full size.
 */
export async function findCircuit(
  session: CircuitSession,
  mean: MeanBaseline,
  examples: readonly ClassificationExample[],
  options: DiscoveryOptions,
  progress: Progress = () => undefined,
  timed: Timed = (_, fn) => fn(),
): Promise<Pick<DiscoveryRun, 'iterations' | 'circuit' | 'expansion'>> {
  const path = rowPathApplies(session.model.config, options) ? 'row' : 'sequence';
  const traces = path === 'row' ? await timed('row traces', () => RowTraces.compute(session, session.batches(examples), (d, t) => progress('tracing the clean forward', d, t))) : undefined;
  try {
    return await expandCircuit({ session, mean, examples, options, traces, timed, progress });
  } finally {
    await traces?.release();
  }
}

/** What discovery's iterations share. */
interface Scoring {
  session: CircuitSession;
  mean: MeanBaseline;
  examples: readonly ClassificationExample[];
  options: DiscoveryOptions;
  /** The clean forward of each batch: present exactly on the label-row path. */
  traces?: RowTraces;
  timed: Timed;
  progress: Progress;
}

/** Iteration 0 against the logits, then each depth against the heads the one before selected. */
async function expandCircuit(s: Scoring): Promise<Pick<DiscoveryRun, 'iterations' | 'circuit' | 'expansion'>> {
  const { session, options } = s;
  const config = session.model.config;
  const path = s.traces ? 'row' : 'sequence';
  const k = selectionSize(allHeads(config).length, options.selectionRatio);
  const iterations: Iteration[] = [];
  const circuit: Head[] = [];
  const depthCap = Math.min(options.maxDepth, 3);
  for (let depth = 0; depth <= depthCap; depth++) {
    const t0 = performance.now();
    const targets: RelevanceTargets = depth === 0 ? { kind: 'logits' } : { kind: 'heads', heads: iterations[depth - 1]!.selected };
    const inCircuit = new Set(circuit.map(headKey));
    const deepest = targets.kind === 'logits' ? config.numLayers : Math.max(...targets.heads.map((h) => h.layer));
    const scores: HeadScore[] = [];
    const reachableAt = (layer: number): RelevanceTargets => (targets.kind === 'logits' ? targets : { kind: 'heads', heads: targets.heads.filter((t) => t.layer > layer) });
    const scored = Array.from({ length: deepest }, (_, l) => l).filter((l) => {
      const r = reachableAt(l);
      return r.kind === 'logits' || r.heads.length > 0;
    });
    const work = scored.reduce((a, l) => a + sourceLayerWork(l, deepest, path), 0);
    let workDone = 0;
    for (const layer of scored) {
      const layerScores = await s.timed(`depth ${depth}`, () => scoreLayer(session, s.mean, s.examples, layer, reachableAt(layer), options, s.traces));
      scores.push(...layerScores.filter((x) => !inCircuit.has(headKey(x.head))));
      workDone += sourceLayerWork(layer, deepest, path);
      s.progress(`scoring heads (depth ${depth})`, layer + 1, deepest, workDone / work);
    }
    if (scores.length === 0) {
      const stop = deepest === 0 ? 'targets-in-layer-0' : 'no-candidates';
      return { iterations, circuit, expansion: { asked: options.maxDepth, reached: depth - 1, stop, reason: stopReason(options.maxDepth, depth - 1, stop, targets.kind === 'heads' ? targets.heads : []) } };
    }
    assertFiniteScores(scores, depth, config.numLayers, options.cd.signCleanup);
    const ranking = new Map(scores.map((x) => [headKey(x.head), x[options.rankBy]]));
    const selected = topHeads(ranking, scores.map((x) => x.head), k);
    circuit.push(...selected);
    iterations.push({ depth, targets: targets.kind === 'logits' ? 'logits' : targets.heads, scores, selected, seconds: (performance.now() - t0) / 1000 });
  }
  const reached = iterations.length - 1;
  return { iterations, circuit, expansion: { asked: options.maxDepth, reached, stop: 'asked-depth', reason: stopReason(options.maxDepth, reached, 'asked-depth', []) } };
}

/**
 * Relevance that overflowed is no ranking: say so, with where, instead of selecting from NaN (which
 * failed later as a database constraint). Seen without sign cleanup on the tests' tiny random Qwen2
 * made deeper, in float64: largest |score| 1.1 at 6 layers, 1.8e45 at 12, 2.7e104 and NaN at 24; with
 * the MLP cleanup (the default) 0.8, 1.7 and 1.8 (docs/circuits.md).
 */
function assertFiniteScores(scores: readonly HeadScore[], depth: number, layers: number, cleanup: SignCleanup): void {
  const bad = scores.filter((s) => !Number.isFinite(s.directional) || !Number.isFinite(s.magnitude));
  const finite = scores.map((s) => Math.abs(s.directional)).filter(Number.isFinite);
  const largest = finite.length > 0 ? Math.max(...finite) : NaN;
  if (bad.length === 0 && largest < 1e30) return;
  const where = bad.slice(0, 6).map((s) => `${s.head.layer}.${s.head.head}`).join(' ');
  const size = finite.length > 0 ? `the largest finite one is ${largest.toExponential(1)}` : 'none is finite';
  throw new Error(
    `CD-T relevance overflowed at depth ${depth} on this ${layers}-layer model: ${bad.length} head score(s) are not finite${where ? ` (${where}${bad.length > 6 ? ' …' : ''})` : ''}` +
      ` and ${size}. The decomposition is numerically unstable through this many layers; no circuit was selected.` +
      (cleanup === 'off' ? " Sign cleanup is off: with 'mlp' (the default) β and γ cannot grow apart through the MLPs." : ''),
  );
}
