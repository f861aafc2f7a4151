// Qwen2 / Llama decoders as engine graphs, following the Hugging Face modelling code:
//   x = embed(ids)
//   per layer: x += o_proj(attn(rmsnorm(x)))  with RoPE on q and k, GQA, causal + padding mask
//              x += down(act(gate(rmsnorm(x))) · up(rmsnorm(x)))
//   hidden = rmsnorm(x)
// Weights are read through a ParameterBinding under their canonical Hugging Face names.

import type { Value } from '../../engine/graph';
import * as op from '../../engine/ops/index';
import { MLP_SCOPE } from '../../engine/ops/op-def';
import type { ParameterBinding } from '../../engine/params/binding';
import type { ModelConfig } from '../config';
import { selfAttention, type AttentionShape, type AttentionWeights } from './attention';
import { feedForward } from './feed-forward';
import type { DecoderTrace, Forward, ForwardOptions, ModelInputs } from './forward';

export class UnsupportedArchitectureError extends Error {
  override name = 'UnsupportedArchitectureError';
}

function checkSupported(c: ModelConfig, seq: number): void {
  const scaling = c.ropeScaling?.type;
  if (scaling && scaling !== 'default') {
    throw new UnsupportedArchitectureError(`rope_scaling type "${scaling}" is not supported yet (only plain RoPE)`);
  }
  if (c.slidingWindow !== null && seq > c.slidingWindow) {
    throw new UnsupportedArchitectureError(`sequence length ${seq} exceeds the sliding window ${c.slidingWindow}, which is not implemented`);
  }
}

const biasOf = (p: ParameterBinding, name: string, present: boolean) => (present ? p.tensor(name) : undefined);

export function attentionWeights(c: ModelConfig, p: ParameterBinding, l: number): AttentionWeights {
  const attn = (name: string) => `model.layers.${l}.self_attn.${name}`;
  return {
    q: p.weight(attn('q_proj.weight')),
    k: p.weight(attn('k_proj.weight')),
    v: p.weight(attn('v_proj.weight')),
    o: p.weight(attn('o_proj.weight')),
    qBias: biasOf(p, attn('q_proj.bias'), c.bias.qkv),
    kBias: biasOf(p, attn('k_proj.bias'), c.bias.qkv),
    vBias: biasOf(p, attn('v_proj.bias'), c.bias.qkv),
    oBias: biasOf(p, attn('o_proj.bias'), c.bias.output),
  };
}

/** The attention half's pre-norm. */
export function attentionInput(c: ModelConfig, p: ParameterBinding, l: number, x: Value): Value {
  return op.rmsNorm(x, p.tensor(`model.layers.${l}.input_layernorm.weight`), c.normEps);
}

/** A layer's second half: x = mid + down(act(gate(rmsnorm(mid))) · up(rmsnorm(mid))). */
export function mlpHalf(c: ModelConfig, p: ParameterBinding, l: number, mid: Value): Value {
  const mlp = (name: string) => `model.layers.${l}.mlp.${name}`;
  const h2 = op.rmsNorm(mid, p.tensor(`model.layers.${l}.post_attention_layernorm.weight`), c.normEps);
  // the MLP and its residual add, scoped: where the 'mlp' sign cleanup of CD runs
  return mid.graph.scope(MLP_SCOPE, () => {
    const ff = feedForward(
      h2,
      {
        gate: p.weight(mlp('gate_proj.weight')),
        gateBias: biasOf(p, mlp('gate_proj.bias'), c.bias.mlp),
        up: p.weight(mlp('up_proj.weight')),
        upBias: biasOf(p, mlp('up_proj.bias'), c.bias.mlp),
        down: p.weight(mlp('down_proj.weight')),
        downBias: biasOf(p, mlp('down_proj.bias'), c.bias.mlp),
      },
      c.activation,
    );
    return op.add(mid, ff);
  });
}

export function attentionShape(c: ModelConfig, mask: Value, rotary: { cos: Value; sin: Value }): AttentionShape {
  return { heads: c.numHeads, kvHeads: c.numKvHeads, headDim: c.headDim, mask, rotary };
}

export function decoderForward(c: ModelConfig, p: ParameterBinding, inputs: ModelInputs, opts: ForwardOptions = {}): Forward {
  const g = inputs.ids.graph;
  const seq = inputs.ids.shape[1]!;
  checkSupported(c, seq);
  const embed = p.tensor('model.embed_tokens.weight');
  const dtype = embed.dtype as 'float32' | 'float64';
  const mask = op.attentionMask(inputs.mask, dtype, true);
  const rotary = op.rotaryTables(inputs.positions, c.headDim, c.ropeTheta ?? 10000, dtype);

  let x = op.gather(embed, inputs.ids); // [B, T, D]
  const z: Value[] = [];
  const layers: DecoderTrace['layers'] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const input = x;
    x = g.scope(`layers.${l}`, () => {
      const shape = { ...attentionShape(c, mask, rotary), hookZ: opts.hookZ && ((v: Value) => opts.hookZ!(l, v)) };
      const a = selfAttention(attentionInput(c, p, l, input), attentionWeights(c, p, l), shape);
      z.push(a.z);
      layers.push({ input, k: a.k, v: a.v });
      return mlpHalf(c, p, l, op.add(input, a.out));
    });
  }
  const hidden = op.rmsNorm(x, p.tensor('model.norm.weight'), c.normEps);
  return { hidden, z, trace: { layers, mask, positions: inputs.positions } };
}

/** The output embedding: lm_head, or the input embedding when the config ties them. */
export function unembeddingName(c: ModelConfig, available: (name: string) => boolean): string {
  if (c.tieWordEmbeddings || !available('lm_head.weight')) return 'model.embed_tokens.weight';
  return 'lm_head.weight';
}
