// Next-token language-modelling loss of a decoder as one engine graph, for a [batch, seq] bucket:
//   hidden = decoder(ids, mask, positions)            [B, T, D]
//   logits = hidden · unembeddingᵀ                    [B·T, V]  (the tied input embedding for Qwen2 demo models)
//   loss   = Σ wᵢ · −log softmax(logits)ᵢ[labelᵢ] / Σ wᵢ
// Labels are the next token at each position; weight 0 drops padding and the last position of a row.

import { Graph, type Value } from '../../engine/graph';
import * as op from '../../engine/ops/index';
import { ParameterBinding, type BindOptions, type TrainableTensor } from '../../engine/params/binding';
import type { HostTensor } from '../../engine/tensor';
import { decoderForward, unembeddingName } from '../architectures/decoder';
import type { ModelConfig } from '../config';

export interface BatchShape {
  batch: number;
  seq: number;
}

/** Graph input names; `languageModelBatch` (packing.ts) fills them. */
export const LM_INPUTS = {
  ids: 'input_ids',
  mask: 'attention_mask',
  positions: 'position_ids',
  labels: 'labels',
  weights: 'label_weights',
} as const;

export interface CausalLmGraph {
  graph: Graph;
  /** Weighted mean next-token cross-entropy (nats per predicted token); not yet a graph output. */
  loss: Value;
  /** Final hidden states [B, T, D], after the last norm. */
  hidden: Value;
  trainables: TrainableTensor[];
}

export function causalLmGraph(config: ModelConfig, weights: ReadonlyMap<string, HostTensor>, shape: BatchShape, bind: BindOptions): CausalLmGraph {
  if (config.kind !== 'decoder') throw new Error(`language-model pretraining needs a decoder, not ${config.family}`);
  const { batch, seq } = shape;
  const g = new Graph();
  const p = new ParameterBinding(g, weights, bind);
  const dtype = weights.get('model.embed_tokens.weight')?.dtype === 'float64' ? 'float64' : 'float32';
  const inputs = {
    ids: g.input(LM_INPUTS.ids, 'int64', [batch, seq]),
    mask: g.input(LM_INPUTS.mask, 'int64', [batch, seq]),
    positions: g.input(LM_INPUTS.positions, 'int64', [batch, seq]),
  };
  const labels = g.input(LM_INPUTS.labels, 'int64', [batch * seq]);
  const labelWeights = g.input(LM_INPUTS.weights, dtype, [batch * seq]);
  const { hidden } = decoderForward(config, p, inputs);
  const loss = g.scope('lm_head', () => {
    const unembedding = p.tensor(unembeddingName(config, (name) => weights.has(name)));
    const logits = op.linear(op.reshape(hidden, [batch * seq, config.hiddenSize]), unembedding); // [B·T, V]
    return op.softmaxCrossEntropy(logits, labels, labelWeights);
  });
  return { graph: g, loss, hidden, trainables: p.trainables };
}
