// Update rules as graph fragments. Each rule names its per-parameter state slots and, given the
// gradient, returns the new parameter and slots. Semantics are PyTorch's.

import type { Graph, Value } from '../graph';
import { add, div, mul, scale, sub } from '../ops/arithmetic';
import { pow } from '../ops/elementwise-logic';
import { sqrt } from '../ops/unary';

export interface AdamWOptions {
  kind: 'adamw';
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export interface SgdOptions {
  kind: 'sgd';
  momentum?: number;
  weightDecay?: number;
}

export type OptimizerOptions = AdamWOptions | SgdOptions;

export interface UpdateRule {
  /** State slots per parameter, e.g. ['m', 'v']; each starts at zero. */
  readonly slots: readonly string[];
  update(p: Value, grad: Value, slots: readonly Value[], decay: boolean): { p: Value; slots: Value[] };
}

/**
 * AdamW with decoupled weight decay and bias correction:
 *   p ← p·(1 − lr·wd);  m ← m + (1−β₁)(g − m);  v ← β₂v + (1−β₂)g²
 *   p ← p − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε)
 * evaluated as p − (lr·√(1−β₂ᵗ)/(1−β₁ᵗ))·m / (√v + ε·√(1−β₂ᵗ)), one pass fewer over the tensor.
 */
function adamw(g: Graph, o: AdamWOptions, lr: Value, step: Value): UpdateRule {
  const [b1, b2, eps, wd] = [o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.eps ?? 1e-8, o.weightDecay ?? 0.01];
  const c = (x: number) => g.scalar(x, lr.dtype);
  const bc1 = sub(c(1), pow(c(b1), step));
  const sqrtBc2 = sqrt(sub(c(1), pow(c(b2), step)));
  const stepSize = div(mul(lr, sqrtBc2), bc1);
  const epsHat = scale(sqrtBc2, eps);
  const shrink = sub(c(1), scale(lr, wd));
  return {
    slots: ['m', 'v'],
    update(p, grad, [m, v], decay) {
      const m2 = add(m!, scale(sub(grad, m!), 1 - b1));
      const v2 = add(scale(v!, b2), scale(mul(grad, grad), 1 - b2));
      const decayed = decay && wd !== 0 ? mul(p, shrink) : p;
      const p2 = sub(decayed, mul(div(m2, add(sqrt(v2), epsHat)), stepSize));
      return { p: p2, slots: [m2, v2] };
    },
  };
}

/** SGD with L2 weight decay added to the gradient and optional momentum (buffer starts at zero). */
function sgd(o: SgdOptions, lr: Value): UpdateRule {
  const [momentum, wd] = [o.momentum ?? 0, o.weightDecay ?? 0];
  return {
    slots: momentum > 0 ? ['buf'] : [],
    update(p, grad, [buf], decay) {
      const d = decay && wd !== 0 ? add(grad, scale(p, wd)) : grad;
      const direction = momentum > 0 ? add(scale(buf!, momentum), d) : d;
      return { p: sub(p, mul(direction, lr)), slots: momentum > 0 ? [direction] : [] };
    },
  };
}

export function updateRule(g: Graph, options: OptimizerOptions, lr: Value, step: Value): UpdateRule {
  return options.kind === 'adamw' ? adamw(g, options, lr, step) : sgd(options, lr);
}

