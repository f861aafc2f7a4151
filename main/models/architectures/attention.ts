// Multi-head self-attention with grouped-query heads, optional rotary embedding, an additive mask,
// and an addressable per-head output z [B, T, H, Dh] (TransformerLens's hook_z): circuit discovery
// reads it, and mean ablation replaces it through the `hookZ` callback.

import type { Value } from '../../engine/graph';
import * as op from '../../engine/ops/index';
import type { SegmentedWeight } from '../../engine/ops/segmented-linear';

export interface AttentionWeights {
  q: Value | SegmentedWeight;
  k: Value | SegmentedWeight;
  v: Value | SegmentedWeight;
  o: Value | SegmentedWeight;
  qBias?: Value;
  kBias?: Value;
  vBias?: Value;
  oBias?: Value;
}

export interface AttentionShape {
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Additive mask, [B,1,T,T] or [B,1,1,T]. */
  mask: Value;
  /** cos/sin tables [B,1,T,Dh] for rotary models. */
  rotary?: { cos: Value; sin: Value };
  /** Replaces the per-head output before the output projection (mean ablation, patching). */
  hookZ?: (z: Value) => Value;
}

/** x [B, T, D] → { out [B, T, D], z [B, T, H, Dh] }. */
export function selfAttention(x: Value, w: AttentionWeights, s: AttentionShape): { out: Value; z: Value } {
  const [b, t] = x.shape as [number, number, number];
  const { heads, kvHeads, headDim: dh } = s;
  const project = (weight: Value | SegmentedWeight, bias: Value | undefined, n: number) =>
    op.transpose(op.reshape(op.linear(x, weight, bias), [b, t, n, dh]), [0, 2, 1, 3]); // [B, n, T, Dh]
  const rotate = (y: Value) => (s.rotary ? op.rotary(y, s.rotary.cos, s.rotary.sin) : y);
  // Grouped-query attention: each key/value head serves heads/kvHeads consecutive query heads.
  const repeat = (y: Value) =>
    kvHeads === heads ? y : op.reshape(op.expand(op.unsqueeze(y, 2), [b, kvHeads, heads / kvHeads, t, dh]), [b, heads, t, dh]);

  const q = rotate(project(w.q, w.qBias, heads));
  const k = repeat(rotate(project(w.k, w.kBias, kvHeads)));
  const v = repeat(project(w.v, w.vBias, kvHeads));
  const context = op.scaledDotProductAttention(q, k, v, s.mask); // [B, H, T, Dh]
  let z = op.transpose(context, [0, 2, 1, 3]); // [B, T, H, Dh]
  if (s.hookZ) z = s.hookZ(z);
  const out = op.linear(op.reshape(z, [b, t, heads * dh]), w.o, w.oBias);
  return { out, z };
}
