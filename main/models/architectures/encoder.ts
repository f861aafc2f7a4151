// BERT / XLM-RoBERTa encoders as engine graphs (post-LN, absolute positions, token types), and their
// sequence-classification heads: BERT pools [CLS] through dense + tanh, then the classifier; XLM-R's
// head has its own dense + tanh (classifier.dense) and an out_proj.

import type { Value } from '../../engine/graph';
import * as op from '../../engine/ops/index';
import { MLP_SCOPE } from '../../engine/ops/op-def';
import type { ParameterBinding } from '../../engine/params/binding';
import type { ModelConfig } from '../config';
import { selfAttention } from './attention';
import { feedForward } from './feed-forward';
import type { Forward, ForwardOptions, ModelInputs } from './forward';

export function encoderForward(c: ModelConfig, p: ParameterBinding, inputs: ModelInputs, opts: ForwardOptions = {}): Forward {
  const g = inputs.ids.graph;
  const ln = (x: Value, name: string) => op.layerNorm(x, p.tensor(`${name}.weight`), p.tensor(`${name}.bias`), c.normEps);
  const word = p.tensor('embeddings.word_embeddings.weight');
  const dtype = word.dtype as 'float32' | 'float64';
  const types = inputs.tokenTypes ?? g.constant({ dtype: 'int64', shape: inputs.ids.shape, data: new BigInt64Array(inputs.ids.shape[0]! * inputs.ids.shape[1]!) });
  let x = g.scope('embeddings', () => {
    const sum = op.add(
      op.add(op.gather(word, inputs.ids), op.gather(p.tensor('embeddings.position_embeddings.weight'), inputs.positions)),
      op.gather(p.tensor('embeddings.token_type_embeddings.weight'), types),
    );
    return ln(sum, 'embeddings.LayerNorm');
  });
  const mask = op.attentionMask(inputs.mask, dtype, false);
  const z: Value[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const pre = `encoder.layer.${l}`;
    x = g.scope(`layer.${l}`, () => {
      const self = (name: string) => `${pre}.attention.self.${name}`;
      const a = selfAttention(
        x,
        {
          q: p.weight(self('query.weight')),
          k: p.weight(self('key.weight')),
          v: p.weight(self('value.weight')),
          o: p.weight(`${pre}.attention.output.dense.weight`),
          qBias: p.tensor(self('query.bias')),
          kBias: p.tensor(self('key.bias')),
          vBias: p.tensor(self('value.bias')),
          oBias: p.tensor(`${pre}.attention.output.dense.bias`),
        },
        { heads: c.numHeads, kvHeads: c.numKvHeads, headDim: c.headDim, mask, hookZ: opts.hookZ && ((v) => opts.hookZ!(l, v)) },
      );
      z.push(a.z);
      const h = ln(op.add(a.out, x), `${pre}.attention.output.LayerNorm`);
      // the MLP and its residual add, scoped: where the 'mlp' sign cleanup of CD runs
      const out = g.scope(MLP_SCOPE, () => {
        const ff = feedForward(
          h,
          {
            up: p.weight(`${pre}.intermediate.dense.weight`),
            upBias: p.tensor(`${pre}.intermediate.dense.bias`),
            down: p.weight(`${pre}.output.dense.weight`),
            downBias: p.tensor(`${pre}.output.dense.bias`),
          },
          c.activation,
        );
        return op.add(ff, h);
      });
      return ln(out, `${pre}.output.LayerNorm`);
    });
  }
  return { hidden: x, z };
}

/**
 * Class logits [B, numLabels] from the [CLS] row of each sequence, cls [B, D] (pick it with
 * op.pickRows at the first real token, so left padding works too).
 */
export function encoderClassifierLogits(c: ModelConfig, p: ParameterBinding, cls: Value): Value {
  const dense = (x: Value, name: string) => op.linear(x, p.weight(`${name}.weight`), p.tensor(`${name}.bias`));
  return cls.graph.scope('classifier', () => {
    if (c.family === 'bert') return dense(op.tanh(dense(cls, 'pooler.dense')), 'classifier');
    return dense(op.tanh(dense(cls, 'classifier.dense')), 'classifier.out_proj');
  });
}
