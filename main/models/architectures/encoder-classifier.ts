// A self-contained BERT-style encoder classifier in one readable file (nanoGPT style), with its own
// seeded initialisation: the model of the engine benchmark (`npm run bench:engine`), the training
// tests and the `train-tiny` job. Post-LN layers, erf GELU, [CLS] pooler with tanh, classifier, mean
// cross-entropy. Weight names follow Hugging Face's BertModel. (Checkpoints users bring go through
// encoder.ts and the task model instead.)

import type { FloatDType } from '../../engine/dtype';
import { Graph, type Value } from '../../engine/graph';
import * as op from '../../engine/ops/index';
import { ParameterBinding, type BindOptions } from '../../engine/params/binding';
import { Rng } from '../../engine/random';
import { hostTensor, type HostTensor } from '../../engine/tensor';

export interface EncoderConfig {
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  ffn: number;
  maxPositions: number;
  classes: number;
  dtype: FloatDType;
  eps?: number;
}

const layerPrefix = (i: number) => `encoder.layer.${i}`;

/** Every weight's name and shape. */
export function encoderShapes(c: EncoderConfig): [string, number[]][] {
  const d = c.hidden;
  const shapes: [string, number[]][] = [
    ['embeddings.word_embeddings.weight', [c.vocab, d]],
    ['embeddings.position_embeddings.weight', [c.maxPositions, d]],
    ['embeddings.LayerNorm.weight', [d]],
    ['embeddings.LayerNorm.bias', [d]],
  ];
  for (let i = 0; i < c.layers; i++) {
    const p = layerPrefix(i);
    for (const m of ['query', 'key', 'value']) shapes.push([`${p}.attention.self.${m}.weight`, [d, d]], [`${p}.attention.self.${m}.bias`, [d]]);
    shapes.push(
      [`${p}.attention.output.dense.weight`, [d, d]],
      [`${p}.attention.output.dense.bias`, [d]],
      [`${p}.attention.output.LayerNorm.weight`, [d]],
      [`${p}.attention.output.LayerNorm.bias`, [d]],
      [`${p}.intermediate.dense.weight`, [c.ffn, d]],
      [`${p}.intermediate.dense.bias`, [c.ffn]],
      [`${p}.output.dense.weight`, [d, c.ffn]],
      [`${p}.output.dense.bias`, [d]],
      [`${p}.output.LayerNorm.weight`, [d]],
      [`${p}.output.LayerNorm.bias`, [d]],
    );
  }
  shapes.push(['pooler.dense.weight', [d, d]], ['pooler.dense.bias', [d]], ['classifier.weight', [c.classes, d]], ['classifier.bias', [c.classes]]);
  return shapes;
}

/** Seeded initialisation: normal(0, std) matrices and embeddings, LayerNorm weight 1, biases 0. */
export function initEncoder(c: EncoderConfig, seed: number, std = 0.02): Map<string, HostTensor> {
  const rng = new Rng(seed);
  const weights = new Map<string, HostTensor>();
  for (const [name, shape] of encoderShapes(c)) {
    const t = hostTensor(c.dtype, shape);
    const data = t.data as Float32Array | Float64Array;
    if (name.endsWith('LayerNorm.weight')) data.fill(1);
    else if (!name.endsWith('bias')) rng.fillNormal(data, std);
    weights.set(name, t);
  }
  return weights;
}

function selfAttention(x: Value, mask: Value, p: ParameterBinding, prefix: string, c: EncoderConfig): Value {
  const [b, t, d] = x.shape as [number, number, number];
  const dh = d / c.heads;
  const heads = (name: string) => {
    const y = op.linear(x, p.weight(`${prefix}.${name}.weight`), p.tensor(`${prefix}.${name}.bias`));
    return op.transpose(op.reshape(y, [b, t, c.heads, dh]), [0, 2, 1, 3]); // [B, H, T, Dh]
  };
  const [q, k, v] = [heads('query'), heads('key'), heads('value')];
  const context = op.scaledDotProductAttention(q, k, v, mask); // [B, H, T, Dh]
  return op.reshape(op.transpose(context, [0, 2, 1, 3]), [b, t, d]);
}

export interface EncoderInputs {
  ids: Value;
  mask: Value;
  labels: Value;
}

/** Builds the forward graph and mean cross-entropy loss for a [batch, seq] bucket. */
export function buildEncoder(
  c: EncoderConfig,
  weights: ReadonlyMap<string, HostTensor>,
  batch: number,
  seq: number,
  bind: BindOptions,
): { graph: Graph; loss: Value; logits: Value; params: ParameterBinding; inputs: EncoderInputs } {
  const g = new Graph();
  const p = new ParameterBinding(g, weights, bind);
  const eps = c.eps ?? 1e-12;
  const inputs = {
    ids: g.input('input_ids', 'int64', [batch, seq]),
    mask: g.input('attention_mask', 'int64', [batch, seq]),
    labels: g.input('labels', 'int64', [batch]),
  };
  const ln = (x: Value, name: string) => op.layerNorm(x, p.tensor(`${name}.weight`), p.tensor(`${name}.bias`), eps);

  const positions = op.slice(p.tensor('embeddings.position_embeddings.weight'), 0, 0, seq);
  let x = g.scope('embeddings', () => ln(op.add(op.gather(p.tensor('embeddings.word_embeddings.weight'), inputs.ids), positions), 'embeddings.LayerNorm'));
  const mask = op.attentionMask(inputs.mask, c.dtype, false);
  for (let i = 0; i < c.layers; i++) {
    const pre = layerPrefix(i);
    x = g.scope(pre, () => {
      const attn = selfAttention(x, mask, p, `${pre}.attention.self`, c);
      const out = op.linear(attn, p.weight(`${pre}.attention.output.dense.weight`), p.tensor(`${pre}.attention.output.dense.bias`));
      const h = ln(op.add(out, x), `${pre}.attention.output.LayerNorm`);
      const up = op.gelu(op.linear(h, p.weight(`${pre}.intermediate.dense.weight`), p.tensor(`${pre}.intermediate.dense.bias`)));
      const down = op.linear(up, p.weight(`${pre}.output.dense.weight`), p.tensor(`${pre}.output.dense.bias`));
      return ln(op.add(down, h), `${pre}.output.LayerNorm`);
    });
  }
  const logits = g.scope('head', () => {
    const cls = op.reshape(op.slice(x, 1, 0, 1), [batch, c.hidden]);
    const pooled = op.tanh(op.linear(cls, p.weight('pooler.dense.weight'), p.tensor('pooler.dense.bias')));
    return op.linear(pooled, p.weight('classifier.weight'), p.tensor('classifier.bias'));
  });
  const loss = op.softmaxCrossEntropy(logits, inputs.labels);
  return { graph: g, loss, logits, params: p, inputs };
}

/** Multiply-adds ×2 of one forward pass (matmuls and attention products), for GFLOP/s figures. */
export function encoderForwardFlops(c: EncoderConfig, batch: number, seq: number): number {
  const tokens = batch * seq;
  const d = c.hidden;
  const perLayer = 2 * tokens * (4 * d * d + 2 * d * c.ffn) + 2 * 2 * batch * seq * seq * d;
  return c.layers * perLayer + 2 * batch * (d * d + d * c.classes);
}
