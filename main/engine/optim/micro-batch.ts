// A step over a batch split into k micro-batches (gradient accumulation), for models whose whole
// batch's activations do not fit in memory:
//   gradient run i:  acc ← ∇(loss_i · scale_i) (+ acc when i > 0)   scale_i = Σ weights of micro-batch i / Σ weights of the batch
//   update run:      the optimizer half of a step (mask → clip → update → gate) from acc
// When the trainables' parameters pass a byte budget (full fine-tuning of a large model), the update
// is split over runs: one computes the global gradient norm, then each chunk of tensors is updated
// with it. onnxruntime allocates every output and the Node binding copies it, so a single update
// run holds parameters and moments three times over; chunks hold only one chunk's new values.
// The loss is a weighted mean over rows, so Σᵢ loss_i · scale_i is the whole batch's loss and the
// accumulated gradient is its gradient (equal up to summation order: a few ulps in float64).
// Parameters, moments and accumulated gradients stay runner state throughout. One session serves every
// gradient run (an `accumulate` flag chooses): each onnxruntime session keeps its own arena, and a
// second one for the first micro-batch held another micro-batch's worth of activations (measured on
// the 24-layer Qwen2.5-0.5B shape: CT-SFT peak 5.1 GB with two sessions).

import { grad } from '../autodiff';
import { Graph, GraphError } from '../graph';
import { add, mul } from '../ops/arithmetic';
import { zerosOf } from '../ops/fill';
import { where } from '../ops/where';
import type { TrainableTensor } from '../params/binding';
import { BYTES_PER_ELEMENT } from '../dtype';
import { sizeOf, type HostTensor } from '../tensor';
import { globalNorm } from './clip';
import type { ForwardGraph } from './trainer';
import { appendUpdate, maskedGrads, type TrainStep, type TrainStepOptions } from './train-step';

export const LOSS_SCALE_INPUT = 'loss_scale';
export const ACCUMULATE_INPUT = 'accumulate';
export const gradSlot = (key: string) => `${key}.grad`;

/**
 * One micro-batch's gradient, added to the accumulated one when `accumulate` (a bool scalar input)
 * is true. Outputs `loss` (already scaled) and `<key>.grad.new` per trainable.
 */
export function buildGradientStep(forward: ForwardGraph): Graph {
  const { graph: g, loss, trainables } = forward;
  if (trainables.length === 0) throw new GraphError('gradient step: nothing is trainable');
  const scaled = mul(loss, g.input(LOSS_SCALE_INPUT, loss.dtype, []));
  const accumulate = g.input(ACCUMULATE_INPUT, 'bool', []);
  const raw = grad(scaled, trainables.map((t) => t.input));
  g.output(scaled, 'loss');
  trainables.forEach((t, i) => {
    const gi = raw[i] ?? zerosOf(g, t.input.dtype, t.input.shape);
    const acc = g.input(gradSlot(t.key), t.input.dtype, t.input.shape);
    g.output(where(accumulate, add(acc, gi), gi), `${gradSlot(t.key)}.new`);
  });
  return g;
}

export const GRAD_NORM_INPUT = 'grad_norm';

export interface UpdateRuns {
  /** Computes `grad_norm` over every gradient, when the update is split and clips or reports it. */
  norm?: Graph;
  /** Each run updates its tensors (parameters, slots) from their accumulated gradients; their state slots, in order, are the step's. */
  chunks: { graph: Graph; step: TrainStep }[];
}

/**
 * The update: parameters, optimizer slots and accumulated gradients in, new values out. One run, or
 * (parameters over `chunkBytes`) a norm run and one run per consecutive group of tensors of at most
 * `chunkBytes` (a larger tensor alone), equal element for element to the single run.
 */
export function buildUpdateRuns(trainables: readonly TrainableTensor[], opts: TrainStepOptions, chunkBytes = Infinity): UpdateRuns {
  const groups = chunksOf(trainables, chunkBytes);
  const inputsOf = (g: Graph, group: readonly TrainableTensor[]) => {
    const inputs = group.map((t) => ({ ...t, input: g.input(t.key, t.input.dtype, t.input.shape) }));
    return { inputs, grads: inputs.map((t) => g.input(gradSlot(t.key), t.input.dtype, t.input.shape)) };
  };
  if (groups.length === 1) {
    const g = new Graph();
    const { inputs, grads } = inputsOf(g, trainables);
    return { chunks: [{ graph: g, step: appendUpdate(grads, inputs, opts) }] };
  }
  const needsNorm = opts.clipNorm !== undefined || opts.reportGradNorm === true;
  let norm: Graph | undefined;
  if (needsNorm) {
    norm = new Graph();
    const { inputs, grads } = inputsOf(norm, trainables);
    norm.output(globalNorm(maskedGrads(grads, inputs).grads), 'grad_norm');
  }
  const chunks = groups.map((group) => {
    const g = new Graph();
    const { inputs, grads } = inputsOf(g, group);
    const given = needsNorm ? g.input(GRAD_NORM_INPUT, group[0]!.input.dtype, []) : undefined;
    return { graph: g, step: appendUpdate(grads, inputs, opts, given) };
  });
  return { ...(norm && { norm }), chunks };
}

/** Bytes of a trainable tensor as the graph takes it. */
export const trainableBytes = (t: TrainableTensor): number => BYTES_PER_ELEMENT[t.input.dtype] * sizeOf(t.input.shape);

function chunksOf(trainables: readonly TrainableTensor[], chunkBytes: number): TrainableTensor[][] {
  const groups: TrainableTensor[][] = [];
  let bytes = Infinity;
  for (const t of trainables) {
    const size = trainableBytes(t);
    if (bytes + size > chunkBytes) {
      groups.push([]);
      bytes = 0;
    }
    groups.at(-1)!.push(t);
    bytes += size;
  }
  return groups;
}

/**
 * Splits a batch's feeds (every one [B, ...]) into `parts` micro-batches of B / parts rows, each
 * with its loss scale; micro-batches whose rows all weigh 0 (padding of a last, short batch) are
 * dropped, since their scaled loss would be 0 / 0.
 */
export function splitBatch(
  batch: Readonly<Record<string, HostTensor>>,
  parts: number,
  weightsInput?: string,
): { feeds: Record<string, HostTensor>; scale: number }[] {
  const first = Object.values(batch)[0];
  if (!first) throw new GraphError('micro-batches: the batch has no feeds');
  const rows = first.shape[0]!;
  if (rows % parts !== 0) throw new GraphError(`micro-batches: ${rows} rows do not split into ${parts} equal parts`);
  const per = rows / parts;
  const weights = weightsInput ? Array.from(batch[weightsInput]!.data as ArrayLike<number>, Number) : new Array<number>(rows).fill(1);
  const total = weights.reduce((a, b) => a + b, 0);
  const out: { feeds: Record<string, HostTensor>; scale: number }[] = [];
  for (let p = 0; p < parts; p++) {
    const mass = weights.slice(p * per, (p + 1) * per).reduce((a, b) => a + b, 0);
    if (mass === 0) continue;
    const feeds: Record<string, HostTensor> = {};
    for (const [name, t] of Object.entries(batch)) {
      if (t.shape[0] !== rows) throw new GraphError(`micro-batches: feed "${name}" has ${t.shape[0]} rows, not ${rows}`);
      const size = t.data.length / rows;
      feeds[name] = { dtype: t.dtype, shape: [per, ...t.shape.slice(1)], data: t.data.slice(p * per * size, (p + 1) * per * size) } as HostTensor;
    }
    out.push({ feeds, scale: mass / total });
  }
  return out;
}
