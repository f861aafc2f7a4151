// A pretrained Qwen2 model as a Hugging Face folder: config.json with the keys transformers writes for
// Qwen2ForCausalLM, model.safetensors (F32, `format: pt` metadata as transformers expects), and the
// tokenizer files. Every file appears whole or not at all, and JSON keys come in a fixed order, so
// the same inputs give the same bytes.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../../engine/tensor';
import { writeAll, writeFileAtomically } from '../checkpoint/atomic-file';
import { writeSafetensors } from '../checkpoint/safetensors-write';

export interface Qwen2Dimensions {
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  ropeTheta: number;
  rmsNormEps: number;
  /** `<|endoftext|>`: end of text, and the BOS id Qwen2 base configs name. */
  endOfTextId: number;
  initializerRange: number;
}

/** config.json of a tied-embedding Qwen2ForCausalLM of these dimensions. */
export function qwen2ConfigJson(d: Qwen2Dimensions): Record<string, unknown> {
  return {
    architectures: ['Qwen2ForCausalLM'],
    attention_dropout: 0.0,
    bos_token_id: d.endOfTextId,
    eos_token_id: d.endOfTextId,
    hidden_act: 'silu',
    hidden_size: d.hiddenSize,
    initializer_range: d.initializerRange,
    intermediate_size: d.intermediateSize,
    max_position_embeddings: d.maxPositions,
    max_window_layers: d.numLayers,
    model_type: 'qwen2',
    num_attention_heads: d.numHeads,
    num_hidden_layers: d.numLayers,
    num_key_value_heads: d.numKvHeads,
    rms_norm_eps: d.rmsNormEps,
    rope_scaling: null,
    rope_theta: d.ropeTheta,
    sliding_window: null,
    tie_word_embeddings: true,
    torch_dtype: 'float32',
    use_cache: true,
    use_sliding_window: false,
    vocab_size: d.vocabSize,
  };
}

export interface ModelFolderFiles {
  config: Record<string, unknown>;
  weights: ReadonlyMap<string, HostTensor>;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/** Writes the folder; returns the safetensors size in bytes. */
export function writeModelFolder(dir: string, files: ModelFolderFiles): number {
  mkdirSync(dir, { recursive: true });
  const bytes = writeSafetensors(join(dir, 'model.safetensors'), files.weights, { format: 'pt' });
  writeFolderFile(dir, 'config.json', files.config);
  writeFolderFile(dir, 'tokenizer.json', files.tokenizerJson);
  writeFolderFile(dir, 'tokenizer_config.json', files.tokenizerConfig);
  return bytes;
}

/** One more file in the folder: a string as it is, anything else as pretty-printed JSON. */
export function writeFolderFile(dir: string, name: string, content: string | object): void {
  const text = typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`;
  writeFileAtomically(join(dir, name), (fd) => writeAll(fd, new TextEncoder().encode(text)));
}
