// Opening a Hugging Face model folder: config.json, the checkpoint's tensors under their canonical
// names (matched and checked against the config first), and the tokenizer.

import { Checkpoint } from './checkpoint/checkpoint';
import type { HostTensor } from '../engine/tensor';
import { loadModelConfig, type ModelConfig } from './config';
import { resolveTensorLayout, type ResolvedLayout } from './tensor-layout';
import { LontarTokenizer } from './tokenizer';

export interface LoadedWeights {
  config: ModelConfig;
  layout: ResolvedLayout;
  /** Canonical Hugging Face name → float tensor. */
  weights: Map<string, HostTensor>;
}

/** A whole model folder, ready for classification, export and training. */
export interface LoadedModel extends LoadedWeights {
  /** The folder it was read from (tokenizer files are copied from here on export). */
  dir: string;
  tokenizer: LontarTokenizer;
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

/** Config, weights and tokenizer of a folder; the tokenizer is checked first (it is cheap). */
export function loadModel(dir: string): LoadedModel {
  const config = loadModelConfig(dir);
  const tokenizer = LontarTokenizer.load(dir, { config });
  return { ...loadWeights(dir), dir, tokenizer };
}
