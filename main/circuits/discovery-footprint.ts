// What a discovery job will need before it starts: the time of iteration 0 from the forward FLOPs
// of the layers above each source layer, at the cost per source head bench:discovery measures, and
// the peak memory of one relevance run (discovery releases a source layer's graphs once it is
// scored, so one is resident at a time). Terms and measurements: docs/scale.md ("Before a launch").

import type { ModelConfig } from '../models/config';
import { forwardFlops } from '../models/flops';
import { parameterCount } from '../models/tensor-layout';
import { sourceGroups } from './discovery';

/**
 * One source head's relevance costs this many forwards of the layers above its own (bench:discovery
 * at Qwen2.5-0.5B shapes with the MLP sign cleanup: 1.46; the clean forward each run repeats is in it).
 */
export const COST_PER_SOURCE_HEAD = 1.46;

/** Forward FLOP/s per thread on the CPU: bench:scale's forward at Qwen2.5-0.5B size (1.49 TFLOP in 4.55 s on 2 threads). */
export const CPU_FORWARD_FLOPS_PER_THREAD = 163e9;

/**
 * FFN-wide β tensors one relevance run holds at once, per source row (sources × examples × tokens):
 * a rough count from the MLP rules (the gate's and up's β and their sign cleanups, γ and the
 * activation of γ for the γ-first rule, the product's terms, the next layer's first); the
 * residual-wide ones are a sixth of the size and are left out. Not yet checked against a measured peak.
 */
const FFN_WIDE_TENSORS = 10;

export interface DiscoveryFootprintInput {
  config: ModelConfig;
  floatBytes: number;
  /** Examples scored (D) and in the mean baseline (M), examples per run, longest prompt. */
  discoverySize: number;
  meanSize: number;
  batchSize: number;
  maxLength: number;
  maxDepth: number;
  threads: number;
  /** The process before any model (the training estimate's runtime term). */
  runtimeBytes: number;
}

export interface DiscoveryFootprint {
  peakBytes: number;
  parts: { runtime: number; weights: number; relevance: number };
  /** Iteration 0 (every head of every layer against the label logits) and the mean baseline. */
  iteration0Seconds: number;
  /** Every iteration together is at most this: each later one scores only heads below its targets. */
  atMostSeconds: number;
  flopsPerSecond: number;
}

export function estimateDiscovery(input: DiscoveryFootprintInput): DiscoveryFootprint {
  const { config: c, batchSize: b, maxLength: seq } = input;
  const flopsPerSecond = CPU_FORWARD_FLOPS_PER_THREAD * Math.max(1, input.threads);
  const batches = Math.ceil(input.discoverySize / b);
  let relevanceFlops = 0;
  for (let layer = 0; layer < c.numLayers; layer++) relevanceFlops += c.numHeads * COST_PER_SOURCE_HEAD * forwardFlops(c, b, seq, c.numLayers - layer);
  const meanFlops = Math.ceil(input.meanSize / b) * forwardFlops(c, b, seq);
  const iteration0Seconds = (batches * relevanceFlops + meanFlops) / flopsPerSecond;
  // the largest run: as many heads as SOURCE_ROWS_PER_RUN allows (at least one)
  const rows = Math.max(...sourceGroups(c.numHeads, b * seq).map((g) => g.length)) * b * seq;
  const relevance = FFN_WIDE_TENSORS * rows * c.intermediateSize * input.floatBytes;
  const weights = parameterCount(c) * input.floatBytes;
  const parts = { runtime: input.runtimeBytes, weights, relevance };
  return {
    peakBytes: parts.runtime + parts.weights + parts.relevance,
    parts,
    iteration0Seconds,
    atMostSeconds: (input.maxDepth + 1) * iteration0Seconds,
    flopsPerSecond,
  };
}
