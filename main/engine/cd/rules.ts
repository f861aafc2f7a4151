// Building blocks of contextual-decomposition rules (β-only propagation). β has one extra leading axis
// (the batch of sources) over the clean tensor it decomposes; γ = total − β is derived, never carried.

import type { Value } from '../graph';
import * as op from '../ops/index';
import { MLP_SCOPE, type CdOptions } from '../ops/op-def';

/** γ = total − β (the clean total broadcasts over the source axis). */
export const gammaOf = (total: Value, beta: Value): Value => op.sub(total, beta);

/** Zeros shaped like β would be for `clean` with `sources` rows. */
export const zeroBeta = (clean: Value, sources: number): Value => op.zerosOf(clean.graph, clean.dtype, [sources, ...clean.shape]);

/** The number of sources a set of β tensors carries (they all agree). */
export function sourcesOf(beta: readonly (Value | null)[]): number {
  const b = beta.find((x) => x !== null);
  if (!b) throw new Error('CD rule called without any β');
  return b.shape[0]!;
}

/** An axis of the clean tensor, as an axis of its β (shifted past the source axis). */
export const betaAxis = (axis: number, cleanRank: number): number => (axis < 0 ? axis + cleanRank : axis) + 1;

/**
 * Proportional bias split (ACD / CD-T): of a product split into rβ and rγ, β gets the share
 * b·|rβ| / (|rβ| + |rγ| + tol) of the bias b. With rβ = 0 the share is exactly 0.
 */
export function withBiasShare(rBeta: Value, rGamma: Value, bias: Value, tol: number): Value {
  return op.add(rBeta, op.mul(bias, biasShare(rBeta, rGamma, tol)));
}

/** |β| / (|β| + |γ| + tol): the fraction of a bias that belongs to β. */
export function biasShare(beta: Value, gamma: Value, tol: number): Value {
  const absB = op.abs(beta);
  return op.div(absB, op.addScalar(op.add(absB, op.abs(gamma)), tol));
}

/** γ-first rule for a point-wise function: β' = f(total) − f(γ), so f(γ) is what γ alone produces. */
export function gammaFirst(total: Value, output: Value, beta: Value, f: (x: Value) => Value): Value {
  return op.sub(output, f(gammaOf(total, beta)));
}

/** Whether sign cleanup runs after an op emitted in `scope` (a tape entry's scope path). */
export function cleansIn(scope: string, options: CdOptions): boolean {
  return options.signCleanup === 'all' || (options.signCleanup === 'mlp' && scope.split('.').includes(MLP_SCOPE));
}

/**
 * The reference's sign cleanup: where β and γ = total − β have opposite signs, the element's total
 * goes wholly to the larger of the two (β on a tie). That is β clamped to the interval between 0 and
 * the total: β of the total's sign beyond it becomes the total, β of the other sign becomes 0, and β
 * inside is kept (same signs). Two passes over β instead of the rule's ten; the two-stream reference
 * in the tests implements the rule as written. Sums are preserved; applied where `options.signCleanup`
 * places it.
 */
export function signCleanup(total: Value, beta: Value, options: CdOptions, scope: string): Value {
  if (!cleansIn(scope, options)) return beta;
  const zero = total.graph.scalar(0, total.dtype);
  return op.minimum(op.maximum(beta, op.minimum(total, zero)), op.maximum(total, zero));
}

/** β of a clean tensor of rank `cleanRank`, reshaped and expanded to decompose `out` exactly. */
export function fitBeta(beta: Value, cleanRank: number, out: Value): Value {
  const s = beta.shape[0]!;
  const ones = out.rank - cleanRank;
  const aligned = ones > 0 ? op.reshape(beta, [s, ...new Array<number>(ones).fill(1), ...beta.shape.slice(1)]) : beta;
  const target = [s, ...out.shape];
  return aligned.shape.every((d, i) => d === target[i]) ? aligned : op.expand(aligned, target);
}

/** β aligned to `outRank` (ones after the source axis) without expanding, for broadcasting arithmetic. */
export function alignBeta(beta: Value, cleanRank: number, outRank: number): Value {
  const ones = outRank - cleanRank;
  return ones > 0 ? op.reshape(beta, [beta.shape[0]!, ...new Array<number>(ones).fill(1), ...beta.shape.slice(1)]) : beta;
}

/** Raised when β reaches an input a rule cannot decompose (e.g. a weight). */
export function unsupported(opName: string, detail: string): never {
  throw new Error(`contextual decomposition: ${opName} ${detail}`);
}
