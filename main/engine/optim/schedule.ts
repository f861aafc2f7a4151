// Learning-rate schedules evaluated in-graph from the 1-based step counter, so a run (or a Loop of
// several steps in one run) needs no host-side bookkeeping. Semantics follow Hugging Face's
// schedulers, whose optimizer step t uses the factor for t − 1 (warm-up starts at 0).

import type { Value } from '../graph';
import { less, maximum } from '../ops/elementwise-logic';
import { addScalar, div, mul, scale, sub } from '../ops/arithmetic';
import { where } from '../ops/where';

export type Schedule =
  | { kind: 'constant'; lr: number }
  | { kind: 'linear'; lr: number; warmupSteps: number; totalSteps: number };

/** The learning rate for optimizer step `step` (a float scalar, 1-based). */
export function learningRate(step: Value, schedule: Schedule): Value {
  const g = step.graph;
  const c = (x: number) => g.scalar(x, step.dtype);
  if (schedule.kind === 'constant') return c(schedule.lr);
  const { lr, warmupSteps: w, totalSteps: total } = schedule;
  const s = addScalar(step, -1);
  const warm = scale(s, 1 / Math.max(1, w));
  const decay = maximum(c(0), div(sub(c(total), s), c(Math.max(1, total - w))));
  return mul(c(lr), where(less(s, c(w)), warm, decay));
}

/** The same schedule evaluated on the host (for reports and tests). */
export function learningRateAt(step: number, schedule: Schedule): number {
  if (schedule.kind === 'constant') return schedule.lr;
  const { lr, warmupSteps: w, totalSteps: total } = schedule;
  const s = step - 1;
  return lr * (s < w ? s / Math.max(1, w) : Math.max(0, (total - s) / Math.max(1, total - w)));
}
