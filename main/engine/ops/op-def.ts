// The contract every registry op fulfils: shape inference, ONNX emission, its vector-Jacobian product
// and (for circuit discovery) its contextual-decomposition rule, side by side.

import type { DType } from '../dtype';
import type { Graph, Value } from '../graph';
import type { Shape } from '../tensor';

export interface TensorSpec {
  readonly dtype: DType;
  readonly shape: Shape;
}

export interface OpContext<A = unknown, S = unknown> {
  readonly graph: Graph;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly attrs: A;
  /** Forward by-products the VJP reuses (LayerNorm's mean and inverse std, GELU's Φ, ...). */
  readonly saved: S;
}

export interface Emitted<S> {
  outputs: Value[];
  saved?: S;
}

/**
 * Contextual decomposition with β-only propagation: given the relevant part β of each input (null where
 * β is exactly zero) and the op's clean forward values (ctx.inputs / ctx.outputs are the totals), emit the
 * relevant part of each output. The irrelevant part is always γ = total − β, so it is never propagated.
 * Every β carries one extra leading axis over its clean value: the batch of sources decomposed at once.
 */
export type CdRule<A = unknown, S = unknown> = (
  ctx: OpContext<A, S> & { readonly scope: string },
  beta: readonly (Value | null)[],
  options: CdOptions,
) => (Value | null)[];

export const SIGN_CLEANUPS = ['off', 'mlp', 'all'] as const;
export type SignCleanup = (typeof SIGN_CLEANUPS)[number];

/** The scope segment the models put around each MLP and its residual add (where 'mlp' cleanup runs). */
export const MLP_SCOPE = 'mlp';

export interface CdOptions {
  /**
   * How attention splits: 'fixed' holds the clean attention pattern for both parts (linearised softmax);
   * 'beta-softmax' gives β its own softmax over β·β scores (the CD-T reference code's rule).
   */
  attention: 'fixed' | 'beta-softmax';
  /** The tolerance of the proportional bias split (1e-8 in the reference). */
  tol: number;
  /**
   * Where the reference's sign cleanup (normalize_rel_irrel) runs: 'mlp' after the MLP's linear layers
   * and its residual add (where the CD-T reference's GPT path applies it; without it β and γ grow
   * apart without bound through deep stacks), 'all' after every linear layer and residual add, 'off'.
   */
  signCleanup: SignCleanup;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- erased op types on the tape
export interface OpDef<A = any, S = any> {
  readonly name: string;
  /** Input positions that never carry a gradient (indices, masks, conditions). */
  readonly nonDifferentiable?: readonly number[];
  infer(inputs: readonly Value[], attrs: A): TensorSpec[];
  emit(g: Graph, inputs: readonly Value[], attrs: A, specs: readonly TensorSpec[]): Emitted<S>;
  /** Gradients of the inputs; `needsGrad[i]` false means input i's gradient may be skipped (null). */
  vjp?(ctx: OpContext<A, S>, gradOutputs: readonly (Value | null)[], needsGrad: readonly boolean[]): (Value | null)[];
  cd?: CdRule<A, S>;
  /** Which inputs' β the CD rule reads under these options (default: all); others are never propagated. */
  cdReads?: (attrs: A, options: CdOptions) => readonly boolean[];
}

export interface TapeEntry<A = any, S = any> extends OpContext<A, S> {
  readonly op: OpDef<A, S>;
  readonly scope: string;
}

/** Thrown by `infer` with the detail; the registry adds the node name and input shapes. */
export class ShapeError extends Error {}
