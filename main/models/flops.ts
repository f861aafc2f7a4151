// Floating-point operations of a forward pass, from the model's shapes: what the pre-launch estimates
// turn into time at a measured rate. Linear layers (2 per multiply-add) and attention's two products;
// norms, activations and the label readout are left out (under 1% at these sizes).

import type { ModelConfig } from './config';

/** FLOPs of one layer's forward over `rows` × `seq` tokens. */
export function layerForwardFlops(c: ModelConfig, rows: number, seq: number): number {
  const d = c.hiddenSize;
  const kv = c.numKvHeads * c.headDim;
  const mlpMatrices = c.kind === 'decoder' ? 3 : 2; // gate, up, down, or up and down
  const linear = 2 * d * (c.numHeads * c.headDim + 2 * kv) + 2 * c.numHeads * c.headDim * d + 2 * mlpMatrices * d * c.intermediateSize;
  const attention = 4 * seq * c.numHeads * c.headDim; // scores and the weighted values, per token
  return rows * seq * (linear + attention);
}

/** FLOPs of a forward through `layers` layers (default: all of them). */
export function forwardFlops(c: ModelConfig, rows: number, seq: number, layers = c.numLayers): number {
  return layers * layerForwardFlops(c, rows, seq);
}
