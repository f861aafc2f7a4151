// Which tensors a model of a given config needs, under their Hugging Face names and with their exact
// shapes, and the check of a checkpoint against that list: every missing tensor and every wrong
// shape is reported at load time, by name, before any weight is read.

import type { ModelConfig } from './config';
import type { SafetensorsDType } from './checkpoint/safetensors-format';

export interface ExpectedTensor {
  /** Canonical name: the HF name in the bare model (decoders: `model.layers.0...`; encoders: `encoder.layer.0...`). */
  readonly name: string;
  readonly shape: readonly number[];
  /** Present in some checkpoints only (BERT's pooler; a tied lm_head). */
  readonly optional?: boolean;
}

export interface StoredTensorInfo {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
}

/** Anything that lists tensors (a Checkpoint, or a plain map in tests). */
export interface TensorInventory {
  names(): string[];
  entry(name: string): StoredTensorInfo;
}

export interface ResolvedLayout {
  /** Canonical name → name in the checkpoint, for every tensor the model will read. */
  readonly fileNames: ReadonlyMap<string, string>;
  readonly expected: readonly ExpectedTensor[];
  /** Whether the checkpoint carries a sequence-classification head (encoders). */
  readonly hasClassifier: boolean;
  /** Checkpoint tensors the model does not use, less the known harmless ones (MLM heads, rotary caches). */
  readonly unused: readonly string[];
}

export class TensorLayoutError extends Error {
  override name = 'TensorLayoutError';
}

const FLOAT_DTYPES: ReadonlySet<SafetensorsDType> = new Set(['F32', 'F16', 'BF16', 'F64']);
/** Tensors some checkpoints carry that no forward pass reads. */
const IGNORABLE = [/\.rotary_emb\.inv_freq$/, /embeddings\.position_ids$/, /^cls\./, /^lm_head\./, /\.masked_bias$/, /\.attn\.bias$/];

/** The tensors a model needs (classifier: include the encoder's sequence-classification head). */
export function expectedTensors(config: ModelConfig, options: { classifier?: boolean } = {}): ExpectedTensor[] {
  return config.kind === 'decoder' ? decoderTensors(config) : encoderTensors(config, options.classifier ?? false);
}

/** Parameters of the required tensors (tied embeddings once), from the config alone. */
export function parameterCount(config: ModelConfig): number {
  return expectedTensors(config)
    .filter((t) => !t.optional)
    .reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
}

function decoderTensors(c: ModelConfig): ExpectedTensor[] {
  const H = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const I = c.intermediateSize;
  const out: ExpectedTensor[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, H] }];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    out.push({ name: `${p}.input_layernorm.weight`, shape: [H] });
    const projections: [string, number, number, boolean][] = [
      ['self_attn.q_proj', q, H, c.bias.qkv],
      ['self_attn.k_proj', kv, H, c.bias.qkv],
      ['self_attn.v_proj', kv, H, c.bias.qkv],
      ['self_attn.o_proj', H, q, c.bias.output],
      ['mlp.gate_proj', I, H, c.bias.mlp],
      ['mlp.up_proj', I, H, c.bias.mlp],
      ['mlp.down_proj', H, I, c.bias.mlp],
    ];
    for (const [name, rows, cols, bias] of projections) {
      out.push({ name: `${p}.${name}.weight`, shape: [rows, cols] });
      if (bias) out.push({ name: `${p}.${name}.bias`, shape: [rows] });
      if (name === 'self_attn.o_proj') out.push({ name: `${p}.post_attention_layernorm.weight`, shape: [H] });
    }
  }
  out.push({ name: 'model.norm.weight', shape: [H] });
  out.push({ name: 'lm_head.weight', shape: [c.vocabSize, H], optional: c.tieWordEmbeddings });
  return out;
}

function encoderTensors(c: ModelConfig, classifier: boolean): ExpectedTensor[] {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const linear = (name: string, rows: number, cols: number, optional = false): ExpectedTensor[] => [
    { name: `${name}.weight`, shape: [rows, cols], optional },
    { name: `${name}.bias`, shape: [rows], optional },
  ];
  const layerNorm = (name: string): ExpectedTensor[] => [
    { name: `${name}.weight`, shape: [H] },
    { name: `${name}.bias`, shape: [H] },
  ];
  const out: ExpectedTensor[] = [
    { name: 'embeddings.word_embeddings.weight', shape: [c.vocabSize, H] },
    { name: 'embeddings.position_embeddings.weight', shape: [c.maxPositions, H] },
    { name: 'embeddings.token_type_embeddings.weight', shape: [c.typeVocabSize, H] },
    ...layerNorm('embeddings.LayerNorm'),
  ];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `encoder.layer.${l}`;
    out.push(
      ...linear(`${p}.attention.self.query`, H, H),
      ...linear(`${p}.attention.self.key`, H, H),
      ...linear(`${p}.attention.self.value`, H, H),
      ...linear(`${p}.attention.output.dense`, H, H),
      ...layerNorm(`${p}.attention.output.LayerNorm`),
      ...linear(`${p}.intermediate.dense`, I, H),
      ...linear(`${p}.output.dense`, H, I),
      ...layerNorm(`${p}.output.LayerNorm`),
    );
  }
  // BERT classifies from the pooled [CLS]; XLM-R's head has its own dense layer and no pooler.
  const pooler = linear('pooler.dense', H, H, !(classifier && c.family === 'bert'));
  out.push(...pooler);
  if (classifier) {
    if (c.family === 'bert') out.push(...linear('classifier', c.numLabels, H));
    else out.push(...linear('classifier.dense', H, H), ...linear('classifier.out_proj', c.numLabels, H));
  }
  return out;
}

/**
 * Matches a checkpoint's tensors to what `config` needs. Accepts the usual naming variants (a
 * `bert.` / `roberta.` / missing `model.` prefix, LayerNorm `gamma`/`beta`) and throws one error
 * listing every missing tensor, wrong shape and non-float weight.
 */
export function resolveTensorLayout(config: ModelConfig, inventory: TensorInventory, source: string): ResolvedLayout {
  const available = new Set(inventory.names());
  const prefix = detectPrefix(config, available);
  const hasClassifier = config.kind === 'encoder' && [...available].some((n) => n.startsWith('classifier.'));
  const expected = expectedTensors(config, { classifier: hasClassifier });
  const fileNames = new Map<string, string>();
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const t of expected) {
    const stored = storedName(t.name, prefix, available);
    if (stored === undefined) {
      if (!t.optional) missing.push(t.name);
      continue;
    }
    const info = inventory.entry(stored);
    if (!sameShape(info.shape, t.shape)) {
      wrong.push(`${stored}: expected ${formatShape(t.shape)}, file has ${formatShape(info.shape)}`);
    } else if (!FLOAT_DTYPES.has(info.dtype)) {
      wrong.push(`${stored}: dtype ${info.dtype} is not a float type (F32, F16, BF16, F64)`);
    }
    fileNames.set(t.name, stored);
  }
  const used = new Set(fileNames.values());
  const unused = [...available].filter((n) => !used.has(n)).sort();
  const extraLayers = unused.filter((n) => layerIndex(n) !== undefined && layerIndex(n)! >= config.numLayers);
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing ${missing.length} tensor(s): ${listSome(missing)}`);
  problems.push(...wrong.slice(0, 20));
  if (wrong.length > 20) problems.push(`... and ${wrong.length - 20} more wrong shapes`);
  if (extraLayers.length > 0) {
    problems.push(`tensors of layers beyond the ${config.numLayers} in config.json: ${listSome(extraLayers)}`);
  }
  if (problems.length > 0) {
    const what = `${config.family}, ${config.numLayers} layers, hidden ${config.hiddenSize}`;
    throw new TensorLayoutError(`${source}: checkpoint does not match config.json (${what}):\n  ${problems.join('\n  ')}`);
  }
  return {
    fileNames,
    expected,
    hasClassifier,
    unused: unused.filter((n) => !IGNORABLE.some((re) => re.test(n))),
  };
}

function detectPrefix(config: ModelConfig, available: ReadonlySet<string>): string {
  if (config.kind === 'decoder') {
    // A bare Qwen2Model/LlamaModel saves without the `model.` its CausalLM wrapper adds.
    return available.has('model.embed_tokens.weight') || !available.has('embed_tokens.weight') ? '' : 'strip-model';
  }
  for (const p of ['bert.', 'roberta.']) {
    if ([...available].some((n) => n.startsWith(`${p}embeddings.`))) return p;
  }
  return '';
}

function storedName(canonical: string, prefix: string, available: ReadonlySet<string>): string | undefined {
  let name = canonical;
  if (prefix === 'strip-model') {
    if (canonical.startsWith('model.')) name = canonical.slice('model.'.length);
  } else if (prefix && !canonical.startsWith('classifier.')) {
    name = prefix + canonical;
  }
  if (available.has(name)) return name;
  // Checkpoints converted from TensorFlow name LayerNorm parameters gamma and beta.
  const legacy = name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
  return legacy !== name && available.has(legacy) ? legacy : undefined;
}

function layerIndex(name: string): number | undefined {
  const m = /(?:^|\.)(?:layers|layer)\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : undefined;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function listSome(names: string[], limit = 12): string {
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown} (and ${names.length - limit} more)` : shown;
}
