// Fresh decoder weights for pretraining, as Hugging Face initializes Qwen2/Llama: every matrix and
// embedding normal(0, initializer_range), biases zero, RMSNorm weights one. One seeded stream in the
// fixed order of `expectedTensors`, so a seed gives the same weights on every machine.

import { Rng } from '../../engine/random';
import { hostTensor, type HostTensor } from '../../engine/tensor';
import type { ModelConfig } from '../config';
import { expectedTensors } from '../tensor-layout';

export function initDecoderWeights(config: ModelConfig, seed: number, std = 0.02): Map<string, HostTensor> {
  if (config.kind !== 'decoder') throw new Error(`initDecoderWeights: ${config.family} is not a decoder`);
  const rng = new Rng(seed);
  const weights = new Map<string, HostTensor>();
  for (const { name, shape, optional } of expectedTensors(config)) {
    if (optional) continue; // a tied lm_head is the embedding itself
    const t = hostTensor('float32', shape);
    const data = t.data as Float32Array;
    if (name.endsWith('norm.weight')) data.fill(1);
    else if (!name.endsWith('.bias')) rng.fillNormal(data, std);
    weights.set(name, t);
  }
  return weights;
}
