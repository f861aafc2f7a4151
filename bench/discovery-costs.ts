// Measured costs of circuit discovery's runs on one batch (shared by bench:discovery and bench:scale):
// one forward (label logits), and per source layer the relevance runs that decompose all its heads,
// split over runs exactly as discovery splits them; on the label-row path, as discovery runs it, with
// the clean forward traced once for the batch (its time given apart). Timings only: the mean
// baseline is zeros.

import { CircuitSession } from '../main/circuits/circuit-session';
import { SOURCE_ROWS_PER_RUN, sourceGroups } from '../main/circuits/discovery';
import { buildRelevanceGraph, MEAN_INPUT, rowPathApplies, sourceHeadsFeed, SOURCES_INPUT, type RelevanceSpec } from '../main/circuits/relevance-graph';
import { RowTraces } from '../main/circuits/row-trace';
import { DEFAULT_DISCOVERY } from '../main/circuits/run-discovery';
import type { Runner } from '../main/engine/runtime/runner';
import { hostTensor } from '../main/engine/tensor';
import { resolveTask } from '../main/models/classification/task';
import type { LoadedModel } from '../main/models/load';
import { median, timeCalls } from './stats';

export interface LayerCosts {
  seq: number;
  /** Seconds of one forward of the batch. */
  forward: number;
  /** Seconds of the relevance runs of each measured source layer (the layer → seconds). */
  perLayer: Map<number, number>;
  /** Seconds of tracing a batch's clean forward for the row runs, and of compiling that graph once (0 when the runs compute it). */
  trace: number;
  traceCompile: number;
  /** Runs per source layer. */
  groups: number;
}

export interface LayerCostOptions {
  runner: Runner;
  batchSize: number;
  text: string;
  repeats: number;
  rowsPerRun?: number;
  /** Source layers to measure (default: all). */
  layers?: readonly number[];
  /** β over the whole sequence, or (the default where it applies) the label row as discovery runs it. */
  path?: 'sequence' | 'row';
}

export async function layerCosts(model: LoadedModel, o: LayerCostOptions): Promise<LayerCosts> {
  const task = resolveTask(model);
  const session = await CircuitSession.open(model, task, { runner: o.runner, batchSize: o.batchSize, maxLength: 128 });
  try {
    const examples = Array.from({ length: o.batchSize }, (_, i) => ({ id: `x${i}`, text: o.text, label: task.labels[i % task.labels.length]!.name }));
    session.fixLength(examples);
    const [batch] = session.batches(examples);
    const { numLayers: L, numHeads: H, headDim: Dh } = model.config;
    const forward = () => {
      const m = session.taskModel();
      m.graph.output(m.logits, 'logits');
      return m.graph;
    };
    const fwd = median(await timeCalls(() => session.run('forward', forward, batch!, {}, ['logits']), 1, o.repeats)) / 1000;
    const mean = { [MEAN_INPUT]: hostTensor(session.floatType, [1, session.seq, H, Dh]) };
    const fed = o.path !== 'sequence' && rowPathApplies(model.config, DEFAULT_DISCOVERY);
    const groups = sourceGroups(H, fed ? o.batchSize : o.batchSize * session.seq, o.rowsPerRun ?? SOURCE_ROWS_PER_RUN);
    // traced twice in one call, as discovery traces its batches: the second time is a batch's cost, the first also compiles
    const marks = [performance.now()];
    const traces = fed ? await RowTraces.compute(session, [batch!, batch!], () => marks.push(performance.now())) : undefined;
    const trace = fed ? (marks[2]! - marks[1]!) / 1000 : 0;
    const traceCompile = fed ? (marks[1]! - marks[0]!) / 1000 - trace : 0;
    const perLayer = new Map<number, number>();
    for (const layer of o.layers ?? Array.from({ length: L }, (_, l) => l)) {
      let seconds = 0;
      for (const heads of groups) {
        const spec: RelevanceSpec = { sourceLayer: layer, targets: { kind: 'logits' }, cd: DEFAULT_DISCOVERY.cd, sourceScope: DEFAULT_DISCOVERY.sourceScope, sources: heads.length, path: fed ? 'row' : 'sequence', ...(fed && { trace: 'fed' as const }) };
        const feeds = { ...mean, [SOURCES_INPUT]: sourceHeadsFeed(session.floatType, heads, H), ...traces?.feeds(0, layer) };
        const run = () => session.run(`relevance|${layer}|${heads.length}`, () => buildRelevanceGraph(session, spec), batch!, feeds, ['directional']);
        seconds += median(await timeCalls(run, 1, o.repeats)) / 1000;
      }
      perLayer.set(layer, seconds);
      await session.releaseGraphs(`relevance|${layer}|`); // as discovery does once a source layer is scored
    }
    await traces?.release();
    return { seq: session.seq, forward: fwd, perLayer, trace, traceCompile, groups: groups.length };
  } finally {
    await session.close();
  }
}

/**
 * Iteration 0 over every source layer, from measured layers: a layer's relevance cost falls linearly
 * with the layers above it, so the unmeasured ones are interpolated between their measured neighbours.
 */
export function interpolateLayers(perLayer: ReadonlyMap<number, number>, layers: number): number[] {
  const known = [...perLayer.keys()].sort((a, b) => a - b);
  return Array.from({ length: layers }, (_, l) => {
    const lo = [...known].reverse().find((k) => k <= l) ?? known[0]!;
    const hi = known.find((k) => k >= l) ?? known.at(-1)!;
    if (lo === hi) return perLayer.get(lo)!;
    const t = (l - lo) / (hi - lo);
    return (1 - t) * perLayer.get(lo)! + t * perLayer.get(hi)!;
  });
}
