// What a discovery job will need before it starts: the time of iteration 0 from the forward FLOPs of
// its relevance runs at the rates bench:scale measures, and the peak memory of its largest phase (one
// relevance run at a time, since discovery releases a source layer's graphs once it is scored, or
// the fast screen's backward). Terms and measurements: docs/scale.md ("Before a launch").

import type { CdOptions } from '../engine/ops/op-def';
import type { ModelConfig } from '../models/config';
import { forwardFlops } from '../models/flops';
import { parameterCount } from '../models/tensor-layout';
import { activationFloatsPerTokenLayer } from '../transfer/footprint';
import { sourceGroups } from './discovery';
import { rowPathApplies, type RelevanceSpec } from './relevance-graph';

/**
 * Over the whole sequence, one source head's relevance costs this many forwards of the layers above
 * its own (bench:discovery at Qwen2.5-0.5B shapes with the MLP sign cleanup: 1.46; the clean forward
 * each run repeats is in it).
 */
export const COST_PER_SOURCE_HEAD = 1.46;

/**
 * On the label-row path, each batch's clean forward runs once (traced), and a run is β for each source
 * in one row per example through the layers above, at this many times a forward's cost per row
 * (bench:scale at Qwen2.5-0.5B shapes: 0.523 s for source layer 0, 14 heads × 10 rows through 24 layers).
 */
export const ROW_COST_PER_SOURCE_ROW = 1.7;

/**
 * Compiling a source layer's relevance graph, per layer it spans (once per source layer and
 * iteration): bench:scale's iteration 0 end to end at Qwen2.5-0.5B shapes took 13 s more than its runs
 * for 24 graphs spanning 300 layers in all.
 */
export const COMPILE_SECONDS_PER_GRAPH_LAYER = 0.043;

/** Forward FLOP/s per thread on the CPU: bench:scale's forward at Qwen2.5-0.5B size (1.49 TFLOP in 4.55 s on 2 threads). */
export const CPU_FORWARD_FLOPS_PER_THREAD = 163e9;

/**
 * FFN-wide β tensors one relevance run holds at once, per source row (sources × examples × tokens):
 * a rough count from the MLP rules (the gate's and up's β and their sign cleanups, γ and the
 * activation of γ for the γ-first rule, the product's terms, the next layer's first); the
 * residual-wide ones are a sixth of the size and are left out.
 */
const FFN_WIDE_TENSORS = 10;

/** FFN-wide tensors of the clean forward alive at once (gate, up, their product, the activation). */
const CLEAN_FFN_TENSORS = 4;

export interface DiscoveryFootprintInput {
  config: ModelConfig;
  floatBytes: number;
  /** Examples scored (D) and in the mean baseline (M), examples per run, longest prompt. */
  discoverySize: number;
  meanSize: number;
  batchSize: number;
  maxLength: number;
  maxDepth: number;
  /** The β path follows from these (relevance-graph.ts `rowPathApplies`). */
  sourceScope: RelevanceSpec['sourceScope'];
  cd: Pick<CdOptions, 'attention'>;
  /** Whether the first-order screen (a backward over the discovery examples) runs too. */
  fastScreen: boolean;
  threads: number;
  /** The process before any model (the training estimate's runtime term). */
  runtimeBytes: number;
}

export interface DiscoveryFootprint {
  peakBytes: number;
  /** relevance: the largest relevance run; screen: the fast screen's backward (0 when it does not run). */
  parts: { runtime: number; weights: number; relevance: number; screen: number };
  path: 'row' | 'sequence';
  /** Iteration 0 (every head of every layer against the label logits) and the mean baseline. */
  iteration0Seconds: number;
  /** Every iteration together is at most this: each later one scores only heads below its targets. */
  atMostSeconds: number;
  flopsPerSecond: number;
}

export function estimateDiscovery(input: DiscoveryFootprintInput): DiscoveryFootprint {
  const { config: c, batchSize: b, maxLength: seq, floatBytes } = input;
  const byRow = rowPathApplies(c, input);
  const flopsPerSecond = CPU_FORWARD_FLOPS_PER_THREAD * Math.max(1, input.threads);
  const batches = Math.ceil(input.discoverySize / b);
  const rowsPerSource = byRow ? b : b * seq;
  const groups = sourceGroups(c.numHeads, rowsPerSource);
  let relevanceFlops = byRow ? forwardFlops(c, b, seq) : 0; // the row path's traced forward
  for (let layer = 0; layer < c.numLayers; layer++) {
    const above = c.numLayers - layer;
    relevanceFlops += byRow ? c.numHeads * ROW_COST_PER_SOURCE_ROW * forwardFlops(c, b, 1, above) : c.numHeads * COST_PER_SOURCE_HEAD * forwardFlops(c, b, seq, above);
  }
  const meanFlops = Math.ceil(input.meanSize / b) * forwardFlops(c, b, seq);
  const compileSeconds = COMPILE_SECONDS_PER_GRAPH_LAYER * ((c.numLayers * (c.numLayers + 1)) / 2);
  const iteration0Seconds = (batches * relevanceFlops + meanFlops) / flopsPerSecond + compileSeconds;
  const largestRun = Math.max(...groups.map((g) => g.length)) * rowsPerSource;
  const beta = FFN_WIDE_TENSORS * largestRun * c.intermediateSize;
  const cleanForward = CLEAN_FFN_TENSORS * b * seq * c.intermediateSize;
  let relevance = beta + cleanForward;
  if (byRow) {
    // every batch's traces (keys and values once per KV head, the label row's input and z) stay for
    // the whole discovery; tracing holds the forward with every layer's input, keys and values, a
    // row run every layer's keys and values repeated to the query heads
    const traces = batches * c.numLayers * b * (2 * c.numKvHeads * c.headDim * seq + c.hiddenSize + c.numHeads * c.headDim);
    const everyLayer = c.numLayers * b * seq * 2 * c.numHeads * c.headDim;
    relevance = traces + Math.max(cleanForward + everyLayer + c.numLayers * b * seq * c.hiddenSize, beta + everyLayer);
  }
  relevance *= floatBytes;
  const screen = input.fastScreen ? b * seq * c.numLayers * activationFloatsPerTokenLayer(c, seq) * floatBytes : 0;
  const parts = { runtime: input.runtimeBytes, weights: parameterCount(c) * floatBytes, relevance, screen };
  return {
    peakBytes: parts.runtime + parts.weights + Math.max(parts.relevance, parts.screen),
    parts,
    path: byRow ? 'row' : 'sequence',
    iteration0Seconds,
    atMostSeconds: (input.maxDepth + 1) * iteration0Seconds,
    flopsPerSecond,
  };
}
