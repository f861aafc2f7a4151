// What a fine-tuning job will need before it starts: its peak memory from the model's shapes, the
// trainable scope and the recipe, by the engine's own accounting of what a step holds, and its time
// from the step's FLOPs at measured rates plus the memory-bound work per trainable element. The terms
// and the measurements behind them are in docs/scale.md ("Before a launch"); bench:footprint and
// bench:scale compare them with measured peaks and times.

import { UPDATE_CHUNK_BYTES } from '../engine/optim/trainer';
import type { ModelConfig } from '../models/config';
import { forwardFlops } from '../models/flops';
import { expectedTensors } from '../models/tensor-layout';
import { stepsFor, type Recipe } from './recipe';
import { trainableScope, type ScopeSpec } from './trainable-scope';

/**
 * Node, onnxruntime, the tokenizer and the bookkeeping, without the model: measured by bench:footprint
 * as the RSS of a training process once the demo model is loaded and its session built (198 MiB),
 * less the model's 20 MiB of weights.
 */
export const RUNTIME_BYTES = 180 * 2 ** 20;

/**
 * Training FLOP/s per thread on the CPU for the forward and the activations' backward (two forwards'
 * FLOPs), measured by bench:scale on the project's 2-core machine (CT-SFT step on the Qwen2.5-0.5B
 * shape in micro-batches of 4: 2 × 1.49 TFLOP in 11.36 s on 2 threads). Other CPUs differ; the
 * estimate says which rate it used.
 */
export const CPU_TRAIN_FLOPS_PER_THREAD = 131e9;

/**
 * FLOP/s per thread of full fine-tuning's weight-gradient pass (one forward's FLOPs more), measured by
 * bench:scale: gradient runs of a full step take 31 s against CT-SFT's 11.4 s for the other two passes
 * (1.49 TFLOP in 19.6 s on 2 threads: transposed GEMMs over the tokens and the tied embedding's scatter).
 */
export const CPU_WEIGHT_GRADIENT_FLOPS_PER_THREAD = 38e9;

/**
 * Seconds per trainable element of each gradient run beyond its FLOPs: onnxruntime's gradient output,
 * the binding's copy of it and the accumulation. Memory-bound, so not per thread: bench:scale's full
 * step on the Qwen2.5-0.5B shape took 5.6 s more with 8 runs than with 4 (494M elements).
 */
export const SECONDS_PER_ELEMENT_PER_RUN = 2.8e-9;

/**
 * Seconds per trainable element of an update run apart from the gradient (chunks without
 * onnxruntime's arena, every new value allocated and copied): 16–25 s for 494M elements in bench:scale.
 */
export const SECONDS_PER_ELEMENT_SPLIT_UPDATE = 39e-9;

export interface FootprintInput {
  config: ModelConfig;
  /** Bytes per weight as trained: 4 for float32 checkpoints (bf16 ones are widened), 8 for float64. */
  floatBytes: number;
  scope: ScopeSpec;
  recipe: Pick<Recipe, 'batchSize' | 'microBatch' | 'maxLength' | 'epochs'>;
  examples: number;
  threads: number;
}

export interface TrainingFootprint {
  peakBytes: number;
  /** The terms of the peak, in bytes. */
  parts: { runtime: number; weights: number; activations: number; optimizer: number };
  /** Rows per gradient run (the micro-batch, or the whole batch). */
  rowsPerRun: number;
  /** Whether the update runs apart from the gradient (micro-batches, or trainables over one update chunk). */
  apart: boolean;
  trainableParameters: number;
  seconds: number;
  /** The rate of the forward and the activations' backward (the estimate names it). */
  flopsPerSecond: number;
}

/**
 * Floats a training step keeps per token and layer for the backward pass: the attention scores and
 * probabilities (2·heads·sequence), the MLP's intermediates (gate, up, activation, product and the
 * activation's saved sigmoid: 5·FFN for gated MLPs; 3·FFN for plain ones) and about ten hidden-wide
 * tensors (norms, q/k/v/z, projections, residuals). Counted from the decoder graph, not fitted:
 * 36,864 floats for Qwen2.5-0.5B at 128 tokens, against 34,800 implied by bench:scale's two CT-SFT
 * peaks (docs/scale.md).
 */
export function activationFloatsPerTokenLayer(c: ModelConfig, seq: number): number {
  const mlp = c.kind === 'decoder' ? 5 : 3;
  return 2 * c.numHeads * seq + mlp * c.intermediateSize + 10 * c.hiddenSize;
}

export function estimateTraining(input: FootprintInput): TrainingFootprint {
  const { config: c, floatBytes: b, recipe } = input;
  const shapes = new Map(expectedTensors(c).filter((t) => !t.optional).map((t) => [t.name, { shape: t.shape }]));
  const scope = trainableScope(c, shapes, input.scope);
  const sizes = scope.tensors.map((t) => t.elements * b);
  const trainable = scope.trainable * b;
  const rowsPerRun = recipe.microBatch ?? recipe.batchSize;
  const apart = rowsPerRun < recipe.batchSize || trainable > UPDATE_CHUNK_BYTES;
  const seq = recipe.maxLength;
  const activations = rowsPerRun * seq * c.numLayers * b * activationFloatsPerTokenLayer(c, seq);
  // State: parameters and two AdamW moments (3T). One run over everything: its gradients (T), then new
  // values for all three from onnxruntime and the binding's copy of them (6T). Apart: gradient
  // accumulators (T, written in place); a gradient run's returned copy (T) and what onnxruntime's
  // arena keeps of the run (≥ T, not modelled further), or an update chunk's returned copies beside
  // that arena (6C, the chunk written in place). Measured at Qwen size: 0.93 of the peak (docs/scale.md).
  const chunk = Math.min(trainable, Math.max(UPDATE_CHUNK_BYTES, ...sizes, 0));
  const optimizer = apart ? Math.max(6 * trainable, 5 * trainable + 6 * chunk) : 10 * trainable;
  const weights = scope.total * b;
  const parts = { runtime: RUNTIME_BYTES, weights, activations, optimizer };
  const steps = stepsFor(input.examples, recipe);
  const threads = Math.max(1, input.threads);
  const flopsPerSecond = CPU_TRAIN_FLOPS_PER_THREAD * threads;
  const forward = forwardFlops(c, recipe.batchSize, seq);
  // a step: the forward and the activations' backward (twice a forward); for full fine-tuning the
  // weights' gradients (once more, at their own rate); each run's trainable outputs; a split update
  const weightGradients = input.scope.kind === 'all' ? forward / (CPU_WEIGHT_GRADIENT_FLOPS_PER_THREAD * threads) : 0;
  const runs = apart ? recipe.batchSize / rowsPerRun : 1;
  const perElement = runs * SECONDS_PER_ELEMENT_PER_RUN + (apart ? SECONDS_PER_ELEMENT_SPLIT_UPDATE : 0);
  const seconds = steps * ((2 * forward) / flopsPerSecond + weightGradients + scope.trainable * perElement);
  return { peakBytes: Object.values(parts).reduce((a, x) => a + x, 0), parts, rowsPerRun, apart, trainableParameters: scope.trainable, seconds, flopsPerSecond };
}

/**
 * The largest micro-batch (a divisor of the batch, or the whole batch) whose estimated peak fits
 * `availableBytes`; undefined when even one row per run does not fit.
 */
export function fittingMicroBatch(input: FootprintInput, availableBytes: number): number | undefined {
  const batch = input.recipe.batchSize;
  for (let rows = batch; rows >= 1; rows--) {
    if (batch % rows !== 0) continue;
    const microBatch = rows < batch ? rows : undefined;
    if (estimateTraining({ ...input, recipe: { ...input.recipe, microBatch } }).peakBytes <= availableBytes) return rows;
  }
  return undefined;
}
