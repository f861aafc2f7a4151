// Turns a forward graph with a scalar loss into one training step:
//   forward → loss → backward → (mask gradients) → clip → update → gate frozen elements
// Inputs added: `step` (1-based float scalar) and one state input per optimizer slot. Outputs:
// `loss`, `lr`, optionally `grad_norm`, and `<key>.new` / `<key>.<slot>.new` for every trainable.

import { grad } from '../autodiff';
import { GraphError, type Value } from '../graph';
import { where } from '../ops/where';
import { zerosOf } from '../ops/fill';
import type { TrainableTensor } from '../params/binding';
import { clipByGlobalNorm, globalNorm } from './clip';
import { updateRule, type OptimizerOptions } from './optimizers';
import { learningRate, type Schedule } from './schedule';

export interface TrainStepOptions {
  optimizer: OptimizerOptions;
  schedule: Schedule;
  /** Clip the global gradient norm to this value (and report the norm as `grad_norm`). */
  clipNorm?: number;
  /** Report `grad_norm` even without clipping. */
  reportGradNorm?: boolean;
}

/** A runner state slot, the graph input that reads it and the output that replaces it each step. */
export interface StateSlot {
  name: string;
  output: string;
  trainable: TrainableTensor;
  /** 'param' starts from the trainable's initial value; other slots start at zero. */
  slot: 'param' | string;
}

export interface TrainStep {
  state: StateSlot[];
  outputs: string[];
}

export function buildTrainStep(loss: Value, trainables: readonly TrainableTensor[], opts: TrainStepOptions): TrainStep {
  if (trainables.length === 0) throw new GraphError('train step: nothing is trainable');
  const raw = grad(loss, trainables.map((t) => t.input));
  const grads = raw.map((gv, i) => gv ?? zerosOf(loss.graph, trainables[i]!.input.dtype, trainables[i]!.input.shape)); // a tensor the loss ignores
  loss.graph.output(loss, 'loss');
  const update = appendUpdate(grads, trainables, opts);
  return { state: update.state, outputs: ['loss', ...update.outputs] };
}

/** Gradients with each trainable's frozen elements zeroed (its mask, where it has one). */
export function maskedGrads(rawGrads: readonly Value[], trainables: readonly TrainableTensor[]): { grads: Value[]; masks: (Value | undefined)[] } {
  const g = trainables[0]!.input.graph;
  const masks = trainables.map((t) => (t.mask ? g.constant(t.mask) : undefined));
  const grads = rawGrads.map((gi, i) => {
    const mask = masks[i];
    return mask ? where(mask, gi, g.scalar(0, gi.dtype)) : gi;
  });
  return { grads, masks };
}

/**
 * The optimizer half of a step, given each trainable's gradient in the same graph: mask → clip →
 * update → gate. Outputs `lr`, optionally `grad_norm`, and every state slot's `.new`. With `norm`
 * (the global gradient norm, computed over more tensors than these), clipping uses it and
 * `grad_norm` is left to whoever computed it.
 */
export function appendUpdate(rawGrads: readonly Value[], trainables: readonly TrainableTensor[], opts: TrainStepOptions, norm?: Value): TrainStep {
  const g = trainables[0]!.input.graph;
  const step = g.input('step', trainables[0]!.input.dtype, []);
  const lr = learningRate(step, opts.schedule);
  const masked = maskedGrads(rawGrads, trainables);
  const masks = masked.masks;
  let grads = masked.grads;
  const outputs = ['lr'];
  g.output(lr, 'lr');
  if (opts.clipNorm !== undefined) {
    const clipped = clipByGlobalNorm(grads, opts.clipNorm, norm);
    grads = clipped.grads;
    if (!norm) {
      g.output(clipped.norm, 'grad_norm');
      outputs.push('grad_norm');
    }
  } else if (opts.reportGradNorm && !norm) {
    g.output(globalNorm(grads), 'grad_norm');
    outputs.push('grad_norm');
  }

  const state: StateSlot[] = [];
  g.scope('optimizer', () => {
  const rule = updateRule(g, opts.optimizer, lr, step);
  trainables.forEach((t, i) => {
    const slots = rule.slots.map((s) => g.input(`${t.key}.${s}`, t.input.dtype, t.input.shape));
    const next = rule.update(t.input, grads[i]!, slots, t.decay);
    // Frozen elements keep their value and moments bit for bit, whatever the update computed.
    const keep = masks[i];
    const gate = (fresh: Value, old: Value) => (keep ? where(keep, fresh, old) : fresh);
    g.output(gate(next.p, t.input), `${t.key}.new`);
    state.push({ name: t.key, output: `${t.key}.new`, trainable: t, slot: 'param' });
    rule.slots.forEach((s, k) => {
      const name = `${t.key}.${s}`;
      g.output(gate(next.slots[k]!, slots[k]!), `${name}.new`);
      state.push({ name, output: `${name}.new`, trainable: t, slot: s });
    });
  });
  });
  return { state, outputs };
}
