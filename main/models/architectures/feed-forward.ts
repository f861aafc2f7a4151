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
  const hidden = w.gate ? op.mul(activate(op.linear(x, w.gate, w.gateBias), activation), up) : activate(up, activation);
  return op.linear(hidden, w.down, w.downBias);
}
