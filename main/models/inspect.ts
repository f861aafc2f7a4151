// What a model folder holds, read from config.json, the safetensors headers and tokenizer.json only
// (no weights are read): `lontar model inspect` and the Models view show it.

import { statSync } from 'node:fs';
import { Checkpoint } from './checkpoint/checkpoint';
import { loadModelConfig, type ModelConfig, type ModelFamily, type ModelKind } from './config';
import { resolveTensorLayout } from './tensor-layout';
import { LontarTokenizer } from './tokenizer';

export interface ModelSummary {
  dir: string;
  family: ModelFamily;
  kind: ModelKind;
  architectures: readonly string[];
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  maxPositions: number;
  tiedEmbeddings: boolean;
  /** config.json's torch_dtype, and how many tensors each stored dtype holds. */
  dtype: { config: string | null; stored: Record<string, number> };
  /** Elements of the tensors the model uses. */
  parameters: number;
  files: { count: number; bytes: number };
  /** Encoders with a classification head: its labels; otherwise null. */
  classifierLabels: readonly string[] | null;
  tokenizer: { model: string; vocab: number; paddingSide: string; padTokenId: number } | { error: string };
  /** Checkpoint tensors the architecture does not use. */
  unusedTensors: readonly string[];
}

export function inspectModel(dir: string): ModelSummary {
  const config = loadModelConfig(dir);
  const checkpoint = Checkpoint.open(dir);
  try {
    const layout = resolveTensorLayout(config, checkpoint, dir);
    const stored: Record<string, number> = {};
    let parameters = 0;
    for (const name of layout.fileNames.values()) {
      const e = checkpoint.entry(name);
      stored[e.dtype] = (stored[e.dtype] ?? 0) + 1;
      parameters += e.shape.reduce((a, b) => a * b, 1);
    }
    return {
      dir,
      family: config.family,
      kind: config.kind,
      architectures: config.architectures,
      layers: config.numLayers,
      hidden: config.hiddenSize,
      heads: config.numHeads,
      kvHeads: config.numKvHeads,
      headDim: config.headDim,
      intermediate: config.intermediateSize,
      vocab: config.vocabSize,
      maxPositions: config.maxPositions,
      tiedEmbeddings: config.kind === 'decoder' && !layout.fileNames.has('lm_head.weight'),
      dtype: { config: config.torchDtype, stored },
      parameters,
      files: { count: checkpoint.files.length, bytes: checkpoint.files.reduce((s, f) => s + statSync(f.path).size, 0) },
      classifierLabels: layout.hasClassifier ? config.id2label : null,
      tokenizer: tokenizerSummary(dir, config),
      unusedTensors: layout.unused,
    };
  } finally {
    checkpoint.close();
  }
}

function tokenizerSummary(dir: string, config: ModelConfig): ModelSummary['tokenizer'] {
  try {
    const t = LontarTokenizer.load(dir, { config });
    return { model: t.modelType, vocab: t.vocabSize, paddingSide: t.paddingSide, padTokenId: t.padTokenId };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
