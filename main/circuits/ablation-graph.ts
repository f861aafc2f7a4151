// The task model with every head outside a keep-set mean-ablated: at each layer z ← where(keep, z, μ).
// The keep mask and the means are inputs, so one compiled graph evaluates any circuit.

import type { Graph } from '../engine/graph';
import * as op from '../engine/ops/index';
import type { CircuitSession } from './circuit-session';

export const KEEP_INPUT = 'keep_heads';
export const MEANS_INPUT = 'head_means';

export function buildAblationGraph(session: CircuitSession): Graph {
  const { numLayers: L, numHeads: H, headDim: Dh } = session.model.config;
  const T = session.seq;
  let keep: ReturnType<Graph['input']> | undefined;
  let means: ReturnType<Graph['input']> | undefined;
  const m = session.taskModel((layer, z) => {
    const g = z.graph;
    keep ??= g.input(KEEP_INPUT, 'bool', [L, H]);
    means ??= g.input(MEANS_INPUT, z.dtype, [L, T, H, Dh]);
    const keepLayer = op.reshape(op.slice(keep, 0, layer, layer + 1), [1, 1, H, 1]);
    const meanLayer = op.slice(means, 0, layer, layer + 1); // [1, T, H, Dh]
    return op.where(keepLayer, z, meanLayer);
  });
  m.graph.output(m.logits, 'logits');
  return m.graph;
}
