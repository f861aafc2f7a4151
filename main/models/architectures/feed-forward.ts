// The position-wise MLP: gated (SwiGLU-style, decoders: down(act(gate(x)) · up(x))) or plain
// (encoders: down(act(up(x)))), with the activation config.json names.

import type { Value } from '../../engine/graph';
import * as op from '../../engine/ops/index';
import type { SegmentedWeight } from '../../engine/ops/segmented-linear';
import type { Activation } from '../config';

export function activate(x: Value, activation: Activation): Value {
  switch (activation) {
    case 'silu':
      return op.silu(x);
    case 'gelu':
      return op.gelu(x, 'erf');
    case 'gelu_tanh':
      return op.gelu(x, 'tanh');
    case 'relu':
      return op.relu(x);
  }
}

export interface FeedForwardWeights {
  gate?: Value | SegmentedWeight;
  gateBias?: Value;
  up: Value | SegmentedWeight;
  upBias?: Value;
  down: Value | SegmentedWeight;
  downBias?: Value;
}

export function feedForward(x: Value, w: FeedForwardWeights, activation: Activation): Value {
  const up = op.linear(x, w.up, w.upBias);
  if (!w.gate) return op.linear(activate(up, activation), w.down, w.downBias);
  const gate = op.linear(x, w.gate, w.gateBias);
  const hidden = activation === 'silu' ? op.swiglu(gate, up) : op.mul(activate(gate, activation), up);
  return op.linear(hidden, w.down, w.downBias);
}
