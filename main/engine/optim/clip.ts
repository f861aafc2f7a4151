// Global-norm gradient clipping (PyTorch's clip_grad_norm_): scale every gradient by
// min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the 2-norm over all gradients together.

import type { Value } from '../graph';
import { add, addScalar, div, mul } from '../ops/arithmetic';
import { minimum } from '../ops/elementwise-logic';
import { reduceSum } from '../ops/reduce';
import { sqrt } from '../ops/unary';

export function globalNorm(grads: readonly Value[]): Value {
  const squares = grads.map((g) => reduceSum(mul(g, g), [...g.shape.keys()], false));
  return sqrt(squares.reduce((a, b) => add(a, b)));
}

/** `norm` may come from outside (an update split over runs computes it once over every gradient). */
export function clipByGlobalNorm(grads: readonly Value[], maxNorm: number, norm: Value = globalNorm(grads)): { grads: Value[]; norm: Value } {
  const g = norm.graph;
  const coef = minimum(g.scalar(1, norm.dtype), div(g.scalar(maxNorm, norm.dtype), addScalar(norm, 1e-6)));
  return { grads: grads.map((x) => mul(x, coef)), norm };
}
