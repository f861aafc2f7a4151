// config.json of a Hugging Face model folder → one normalized, typed ModelConfig. Defaults are the
// ones the transformers classes apply when a key is absent, so a folder loads as it would there.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const SUPPORTED_MODEL_TYPES = ['qwen2', 'llama', 'bert', 'xlm-roberta'] as const;
export type ModelFamily = (typeof SUPPORTED_MODEL_TYPES)[number];
export type ModelKind = 'decoder' | 'encoder';
export type Activation = 'silu' | 'gelu' | 'gelu_tanh' | 'relu';

export interface RopeScaling {
  readonly type: string;
  readonly factor: number | null;
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface ModelConfig {
  readonly family: ModelFamily;
  readonly kind: ModelKind;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** Key/value heads: fewer than numHeads means grouped-query attention. */
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly vocabSize: number;
  readonly maxPositions: number;
  readonly norm: 'rmsnorm' | 'layernorm';
  readonly normEps: number;
  /** RoPE base for decoders; null for encoders (absolute position embeddings). */
  readonly ropeTheta: number | null;
  readonly ropeScaling: RopeScaling | null;
  /** Sliding-window attention size when the config turns it on (qwen2), else null. */
  readonly slidingWindow: number | null;
  readonly activation: Activation;
  readonly tieWordEmbeddings: boolean;
  /** Which projections carry a bias: qwen2 has q/k/v biases only; llama follows attention_bias / mlp_bias. */
  readonly bias: { readonly qkv: boolean; readonly output: boolean; readonly mlp: boolean };
  /** Token-type (segment) vocabulary: 2 for BERT, 1 for XLM-R, 0 for decoders. */
  readonly typeVocabSize: number;
  /** First position id: XLM-R counts positions from pad_token_id + 1, the others from 0. */
  readonly positionOffset: number;
  readonly padTokenId: number | null;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
  readonly numLabels: number;
  /** Label names by id (index = label id). */
  readonly id2label: readonly string[];
  readonly torchDtype: string | null;
  readonly architectures: readonly string[];
  /** The parsed config.json as it was, so exports can write it back with unknown keys intact. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

const count = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

const commonShape = {
  hidden_size: count,
  num_hidden_layers: count,
  num_attention_heads: count,
  intermediate_size: count,
  vocab_size: count,
  max_position_embeddings: count.nullish(),
  hidden_act: z.string().nullish(),
  pad_token_id: tokenId.nullish(),
  bos_token_id: tokenId.nullish(),
  eos_token_id: z.union([tokenId, z.array(tokenId)]).nullish(),
  tie_word_embeddings: z.boolean().nullish(),
  torch_dtype: z.string().nullish(),
  dtype: z.string().nullish(),
  architectures: z.array(z.string()).nullish(),
  id2label: z.record(z.string(), z.string()).nullish(),
  num_labels: count.nullish(),
};

const decoderSchema = z.object({
  ...commonShape,
  num_key_value_heads: count.nullish(),
  head_dim: count.nullish(),
  rms_norm_eps: z.number().positive().nullish(),
  rope_theta: z.number().positive().nullish(),
  rope_scaling: z.record(z.string(), z.unknown()).nullish(),
  attention_bias: z.boolean().nullish(),
  mlp_bias: z.boolean().nullish(),
  use_sliding_window: z.boolean().nullish(),
  sliding_window: count.nullish(),
});

const encoderSchema = z.object({
  ...commonShape,
  layer_norm_eps: z.number().positive().nullish(),
  type_vocab_size: count.nullish(),
  position_embedding_type: z.string().nullish(),
});

/** transformers' per-class defaults for keys a config.json may leave out. */
const DEFAULTS = {
  qwen2: { maxPositions: 32768, eps: 1e-6, act: 'silu', tie: false },
  llama: { maxPositions: 2048, eps: 1e-6, act: 'silu', tie: false },
  bert: { maxPositions: 512, eps: 1e-12, act: 'gelu', tie: true, typeVocab: 2, pad: 0 },
  'xlm-roberta': { maxPositions: 512, eps: 1e-12, act: 'gelu', tie: true, typeVocab: 2, pad: 1 },
} as const;

const ACTIVATIONS: Record<string, Activation> = {
  silu: 'silu',
  swish: 'silu',
  gelu: 'gelu',
  gelu_new: 'gelu_tanh',
  gelu_pytorch_tanh: 'gelu_tanh',
  gelu_fast: 'gelu_tanh',
  relu: 'relu',
};

/** Parses a config.json object; `source` names the file in errors. */
export function parseModelConfig(json: unknown, source = 'config.json'): ModelConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ModelConfigError(`${source}: must be a JSON object`);
  }
  const raw = json as Record<string, unknown>;
  const modelType = raw['model_type'];
  if (!SUPPORTED_MODEL_TYPES.includes(modelType as ModelFamily)) {
    const got = typeof modelType === 'string' ? `model_type "${modelType}" is not supported` : 'model_type is missing';
    throw new ModelConfigError(`${source}: ${got} (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`);
  }
  const family = modelType as ModelFamily;
  return family === 'qwen2' || family === 'llama' ? parseDecoder(family, raw, source) : parseEncoder(family, raw, source);
}

/** Reads `config.json` from a model folder (or the given file). */
export function loadModelConfig(path: string): ModelConfig {
  const file = statSync(path, { throwIfNoEntry: false })?.isDirectory() ? join(path, 'config.json') : path;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ModelConfigError(`${file}: cannot be read (a model folder needs a config.json)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelConfigError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseModelConfig(json, file);
}

function parseDecoder(family: 'qwen2' | 'llama', raw: Record<string, unknown>, source: string): ModelConfig {
  const c = validate(decoderSchema, raw, source);
  const d = DEFAULTS[family];
  const numKvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (!Number.isInteger(headDim)) {
    throw new ModelConfigError(`${source}: hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`);
  }
  if (c.num_attention_heads % numKvHeads !== 0) {
    throw new ModelConfigError(
      `${source}: num_attention_heads ${c.num_attention_heads} is not a multiple of num_key_value_heads ${numKvHeads}`,
    );
  }
  const attentionBias = c.attention_bias ?? false;
  return {
    ...common(family, c, raw, source),
    kind: 'decoder',
    numKvHeads,
    headDim,
    maxPositions: c.max_position_embeddings ?? d.maxPositions,
    norm: 'rmsnorm',
    normEps: c.rms_norm_eps ?? d.eps,
    ropeTheta: c.rope_theta ?? 10000,
    ropeScaling: ropeScaling(c.rope_scaling),
    slidingWindow: c.use_sliding_window && c.sliding_window ? c.sliding_window : null,
    activation: activation(c.hidden_act ?? d.act, source),
    tieWordEmbeddings: c.tie_word_embeddings ?? d.tie,
    bias:
      family === 'qwen2'
        ? { qkv: true, output: false, mlp: false }
        : { qkv: attentionBias, output: attentionBias, mlp: c.mlp_bias ?? false },
    typeVocabSize: 0,
    positionOffset: 0,
    padTokenId: c.pad_token_id ?? null,
  };
}

function parseEncoder(family: 'bert' | 'xlm-roberta', raw: Record<string, unknown>, source: string): ModelConfig {
  const c = validate(encoderSchema, raw, source);
  const d = DEFAULTS[family];
  const headDim = c.hidden_size / c.num_attention_heads;
  if (!Number.isInteger(headDim)) {
    throw new ModelConfigError(`${source}: hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`);
  }
  const positionType = c.position_embedding_type ?? 'absolute';
  if (positionType !== 'absolute') {
    throw new ModelConfigError(`${source}: position_embedding_type "${positionType}" is not supported (only "absolute")`);
  }
  const padTokenId = c.pad_token_id ?? d.pad;
  return {
    ...common(family, c, raw, source),
    kind: 'encoder',
    numKvHeads: c.num_attention_heads,
    headDim,
    maxPositions: c.max_position_embeddings ?? d.maxPositions,
    norm: 'layernorm',
    normEps: c.layer_norm_eps ?? d.eps,
    ropeTheta: null,
    ropeScaling: null,
    slidingWindow: null,
    activation: activation(c.hidden_act ?? d.act, source),
    tieWordEmbeddings: c.tie_word_embeddings ?? d.tie,
    bias: { qkv: true, output: true, mlp: true },
    typeVocabSize: c.type_vocab_size ?? d.typeVocab,
    positionOffset: family === 'xlm-roberta' ? padTokenId + 1 : 0,
    padTokenId,
  };
}

type CommonFields = z.infer<z.ZodObject<typeof commonShape>>;

function common(family: ModelFamily, c: CommonFields, raw: Record<string, unknown>, source: string) {
  const eos = c.eos_token_id;
  const id2label = labels(c.id2label, c.num_labels, source);
  return {
    family,
    hiddenSize: c.hidden_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    intermediateSize: c.intermediate_size,
    vocabSize: c.vocab_size,
    bosTokenId: c.bos_token_id ?? null,
    eosTokenIds: eos === null || eos === undefined ? [] : Array.isArray(eos) ? eos : [eos],
    numLabels: id2label.length,
    id2label,
    torchDtype: c.torch_dtype ?? c.dtype ?? null,
    architectures: c.architectures ?? [],
    raw,
  };
}

/** transformers: num_labels is the size of id2label when given, else num_labels, else 2. */
function labels(id2label: Record<string, string> | null | undefined, numLabels: number | null | undefined, source: string): string[] {
  if (!id2label || Object.keys(id2label).length === 0) {
    return Array.from({ length: numLabels ?? 2 }, (_, i) => `LABEL_${i}`);
  }
  const n = Object.keys(id2label).length;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = id2label[String(i)];
    if (name === undefined) throw new ModelConfigError(`${source}: id2label must number its labels 0..${n - 1}; "${i}" is missing`);
    out.push(name);
  }
  if (numLabels && numLabels !== n) {
    throw new ModelConfigError(`${source}: num_labels ${numLabels} disagrees with the ${n} labels of id2label`);
  }
  return out;
}

function activation(name: string, source: string): Activation {
  const act = ACTIVATIONS[name];
  if (!act) throw new ModelConfigError(`${source}: hidden_act "${name}" is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
  return act;
}

function ropeScaling(value: Record<string, unknown> | null | undefined): RopeScaling | null {
  if (!value) return null;
  const type = value['rope_type'] ?? value['type'];
  const factor = value['factor'];
  return { type: typeof type === 'string' ? type : 'unknown', factor: typeof factor === 'number' ? factor : null, raw: value };
}

function validate<S extends z.ZodType>(schema: S, raw: unknown, source: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ModelConfigError(`${source}: ${problems.join('; ')}`);
}
