// What every architecture's forward takes and gives.

import type { Value } from '../../engine/graph';

export interface ModelInputs {
  /** int64 [B, T] */
  ids: Value;
  /** int64 [B, T]: 1 for tokens, 0 for padding */
  mask: Value;
  /** int64 [B, T]: position ids (see positions.ts) */
  positions: Value;
  /** int64 [B, T]: segment ids (BERT); zeros when absent */
  tokenTypes?: Value;
}

export interface ForwardOptions {
  /** Replaces a layer's per-head attention output z [B, T, H, Dh] before its output projection. */
  hookZ?: (layer: number, z: Value) => Value;
}

export interface Forward {
  /** Final hidden states [B, T, D] (decoders: after the final norm). */
  hidden: Value;
  /** Per-layer attention outputs per head, [B, T, H, Dh]. */
  z: Value[];
  /** Decoders: what a continuation of one row per example needs (decoder-row.ts). */
  trace?: DecoderTrace;
}

/** A decoder's clean forward, as the label-row continuation reads it. */
export interface DecoderTrace {
  /** Per layer: its input residual stream [B, T, D] and the keys and values its attention used [B, H, T, Dh]. */
  layers: { input: Value; k: Value; v: Value }[];
  /** The additive causal and padding mask [B, 1, T, T]. */
  mask: Value;
  /** Position ids [B, T]. */
  positions: Value;
}
