// Opening a Hugging Face model folder: config.json, the checkpoint's tensors under their canonical
// names (matched and checked against the config first), and the tokenizer.

import { Checkpoint } from './checkpoint/checkpoint';
import type { HostTensor } from '../engine/tensor';
import { loadModelConfig, type ModelConfig } from './config';
import { resolveTensorLayout, type ResolvedLayout } from './tensor-layout';

export interface LoadedWeights {
  config: ModelConfig;
  layout: ResolvedLayout;
  /** Canonical Hugging Face name → float tensor. */
  weights: Map<string, HostTensor>;
}

/** Reads config and weights of a model folder; every mismatch is reported before any weight is read. */
export function loadWeights(dir: string): LoadedWeights {
  const config = loadModelConfig(dir);
  const checkpoint = Checkpoint.open(dir);
  try {
    const layout = resolveTensorLayout(config, checkpoint, dir);
    const weights = new Map<string, HostTensor>();
    for (const [canonical, stored] of layout.fileNames) weights.set(canonical, checkpoint.read(stored));
    return { config, layout, weights };
  } finally {
    checkpoint.close();
  }
}
