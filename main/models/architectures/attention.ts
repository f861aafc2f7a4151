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
  /** Additive mask, [B,1,T,T] or [B,1,1,T] (one query row: [B,1,1,T]). */
  mask: Value;
  /** cos/sin tables [B,1,T,Dh] for rotary models (one query row: [B,1,1,Dh]). */
  rotary?: { cos: Value; sin: Value };
  /** Replaces the per-head output before the output projection (mean ablation, patching). */
  hookZ?: (z: Value) => Value;
}

/** Self-attention's results; k and v as the scores and the values used them ([B, H, T, Dh], after RoPE and GQA). */
export interface AttentionResult {
  out: Value;
  z: Value;
  k: Value;
  v: Value;
}

/** x [B, T, D] → [B, n, T, Dh] through one projection. */
function projectHeads(x: Value, weight: Value | SegmentedWeight, bias: Value | undefined, n: number, dh: number): Value {
  const [b, t] = x.shape as [number, number, number];
  return op.transpose(op.reshape(op.linear(x, weight, bias), [b, t, n, dh]), [0, 2, 1, 3]);
}

/** Grouped-query attention: each key/value head serves heads/kvHeads consecutive query heads. */
export function repeatKv(y: Value, s: Pick<AttentionShape, 'heads' | 'kvHeads'>): Value {
  if (s.kvHeads === s.heads) return y;
  const [b, , t, dh] = y.shape as [number, number, number, number];
  return op.reshape(op.expand(op.unsqueeze(y, 2), [b, s.kvHeads, s.heads / s.kvHeads, t, dh]), [b, s.heads, t, dh]);
}

/** The inverse of `repeatKv`: one of each group's copies, [B, H, T, Dh] → [B, kvHeads, T, Dh]. */
export function distinctKv(y: Value, s: Pick<AttentionShape, 'heads' | 'kvHeads'>): Value {
  if (s.kvHeads === s.heads) return y;
  const [b, , t, dh] = y.shape as [number, number, number, number];
  return op.reshape(op.slice(op.reshape(y, [b, s.kvHeads, s.heads / s.kvHeads, t, dh]), 2, 0, 1), [b, s.kvHeads, t, dh]);
}

const rotate = (y: Value, s: AttentionShape) => (s.rotary ? op.rotary(y, s.rotary.cos, s.rotary.sin) : y);

/** The pattern applied, z exposed (and hooked), and the output projection. */
function attend(q: Value, k: Value, v: Value, w: AttentionWeights, s: AttentionShape): AttentionResult {
  const [b, , t] = q.shape as [number, number, number, number];
  const context = op.scaledDotProductAttention(q, k, v, s.mask); // [B, H, T, Dh]
  let z = op.transpose(context, [0, 2, 1, 3]); // [B, T, H, Dh]
  if (s.hookZ) z = s.hookZ(z);
  const out = op.linear(op.reshape(z, [b, t, s.heads * s.headDim]), w.o, w.oBias);
  return { out, z, k, v };
}

/** x [B, T, D] → { out [B, T, D], z [B, T, H, Dh], k, v }. */
export function selfAttention(x: Value, w: AttentionWeights, s: AttentionShape): AttentionResult {
  const dh = s.headDim;
  const q = rotate(projectHeads(x, w.q, w.qBias, s.heads, dh), s);
  const k = repeatKv(rotate(projectHeads(x, w.k, w.kBias, s.kvHeads, dh), s), s);
  const v = repeatKv(projectHeads(x, w.v, w.vBias, s.kvHeads, dh), s);
  return attend(q, k, v, w, s);
}

/** Keys and values of every position from a clean forward, and a one-hot [B, 1, T, 1] of the row computed anew. */
export interface AttentionCache {
  k: Value;
  v: Value;
  row: Value;
}

/**
 * Self-attention for one query row per example, x [B, 1, D], against the keys and values a clean
 * forward computed for every position (a decoding step with a KV cache). The row's own value is
 * projected from x and takes its place in the cache, so relevance in x reaches the output through it;
 * the keys are the clean ones (their row equals what x would give), which is all that CD's fixed
 * attention rule reads.
 */
export function rowAttention(x: Value, w: AttentionWeights, s: AttentionShape, cache: AttentionCache): AttentionResult {
  const dh = s.headDim;
  const q = rotate(projectHeads(x, w.q, w.qBias, s.heads, dh), s);
  const vRow = repeatKv(projectHeads(x, w.v, w.vBias, s.kvHeads, dh), s); // [B, H, 1, Dh]
  const others = op.sub(x.graph.scalar(1, cache.row.dtype), cache.row);
  const v = op.add(op.mul(cache.v, others), op.mul(vRow, cache.row));
  return attend(q, cache.k, v, w, s);
}
