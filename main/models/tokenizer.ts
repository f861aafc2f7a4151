// A model folder's tokenizer: tokenizer.json (+ tokenizer_config.json) loaded through
// @huggingface/tokenizers with Rust-faithful Unicode handling, and Lontar's own truncation,
// special-token templates, sentence pairs and padding (left for decoders, right for encoders).
// Outputs are plain arrays ready to become int64 tensors.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { int64Tensor, type HostTensor } from '../engine/tensor';
import type { ModelConfig, ModelFamily } from './config';
import { parseTokenizerJson, TokenizerFileError, validateTokenizerJson, type TokenizerJson, type TokenizerModelType } from './tokenizer-json';
import { applyTemplate, specialTokenCount, templateFromPostProcessor, type SpecialTokenTemplate } from './tokenizer-template';
import { applyRustSemantics } from './tokenizer-unicode';

export { TokenizerFileError } from './tokenizer-json';

export type PaddingSide = 'left' | 'right';
export type TruncationSide = 'left' | 'right';
/** One text, or a sentence pair (premise, hypothesis). */
export type TextInput = string | readonly [string, string];

export interface TokenizerLoadOptions {
  /** The model's config: gives the family, pad/eos ids and the position limit. */
  config?: ModelConfig;
  /** The family when no config is given. */
  family?: ModelFamily;
}

export interface EncodeOptions {
  /** Longest sequence, special tokens included (default: the model's position limit). */
  maxLength?: number;
  /** Which end of a too-long text is cut (default right, as in transformers). */
  truncationSide?: TruncationSide;
  /** Add the tokenizer's special tokens ([CLS]/[SEP], BOS, ...); default true. */
  addSpecialTokens?: boolean;
}

export interface BatchOptions extends EncodeOptions {
  /** Pad every row to the longest row (default) or to this length. */
  padTo?: number | 'longest';
  /** Default: left for decoders, right for encoders. */
  paddingSide?: PaddingSide;
}

export interface EncodedText {
  readonly inputIds: number[];
  readonly tokenTypeIds: number[];
  readonly truncated: boolean;
}

export interface EncodedBatch {
  readonly inputIds: number[][];
  readonly attentionMask: number[][];
  /** Segment ids for encoders (all zero for XLM-R); null for decoders. */
  readonly tokenTypeIds: number[][] | null;
  /** Unpadded length of each row. */
  readonly lengths: number[];
  readonly truncated: boolean[];
  readonly sequenceLength: number;
  readonly paddingSide: PaddingSide;
}

export class LontarTokenizer {
  readonly source: string;
  readonly family: ModelFamily;
  readonly modelType: TokenizerModelType;
  readonly paddingSide: PaddingSide;
  readonly padTokenId: number;
  /** One past the largest token id. */
  readonly vocabSize: number;
  /** The model's position limit (or tokenizer_config's model_max_length), Infinity if unknown. */
  readonly maxLength: number;
  readonly specialTokenIds: ReadonlySet<number>;
  private readonly tokenizer: Tokenizer;
  private readonly template: SpecialTokenTemplate;
  private readonly cleanUpSpaces: boolean;
  private readonly withTokenTypes: boolean;

  private constructor(args: {
    source: string;
    family: ModelFamily;
    json: TokenizerJson;
    tokenizer: Tokenizer;
    tokenizerConfig: Record<string, unknown>;
    config: ModelConfig | undefined;
  }) {
    const { source, family, json, tokenizer, tokenizerConfig, config } = args;
    this.source = source;
    this.family = family;
    this.modelType = json.model.type;
    this.tokenizer = tokenizer;
    this.template = templateFromPostProcessor(json.post_processor, source);
    const encoder = family === 'bert' || family === 'xlm-roberta';
    this.paddingSide = encoder ? 'right' : 'left';
    this.withTokenTypes = encoder;
    this.cleanUpSpaces = tokenizerConfig['clean_up_tokenization_spaces'] === true;
    let largest = -1;
    for (const id of tokenizer.get_vocab(true).values()) largest = Math.max(largest, id);
    this.vocabSize = largest + 1;
    this.specialTokenIds = new Set([...tokenizer.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
    if (config && this.vocabSize > config.vocabSize) {
      throw new TokenizerFileError(`${source}: token ids reach ${this.vocabSize - 1}, beyond the model's vocab_size ${config.vocabSize}`);
    }
    this.maxLength = modelLimit(config, tokenizerConfig);
    this.padTokenId = this.resolvePadId(json, tokenizerConfig, config);
  }

  /** Loads `tokenizer.json` (required) and `tokenizer_config.json` (optional) from a model folder. */
  static load(dir: string, options: TokenizerLoadOptions = {}): LontarTokenizer {
    const file = join(dir, 'tokenizer.json');
    if (!existsSync(file)) throw new TokenizerFileError(`${file}: missing (Lontar needs the fast-tokenizer file tokenizer.json)`);
    const json = parseTokenizerJson(readFileSync(file, 'utf8'), file);
    const configFile = join(dir, 'tokenizer_config.json');
    let tokenizerConfig: unknown = {};
    if (existsSync(configFile)) {
      try {
        tokenizerConfig = JSON.parse(readFileSync(configFile, 'utf8'));
      } catch (error) {
        throw new TokenizerFileError(`${configFile}: not valid JSON: ${(error as Error).message}`);
      }
    }
    return LontarTokenizer.build(json, tokenizerConfig, file, options);
  }

  /** Builds from already-parsed objects (tests, in-memory models). */
  static fromObjects(tokenizerJson: unknown, tokenizerConfig: unknown, options: TokenizerLoadOptions & { source?: string } = {}): LontarTokenizer {
    const source = options.source ?? 'tokenizer.json';
    return LontarTokenizer.build(validateTokenizerJson(tokenizerJson, source), tokenizerConfig ?? {}, source, options);
  }

  private static build(json: TokenizerJson, tokenizerConfig: unknown, source: string, options: TokenizerLoadOptions): LontarTokenizer {
    const family = options.config?.family ?? options.family;
    if (!family) throw new TokenizerFileError(`${source}: the model family is needed (from config.json) to choose padding and token types`);
    if (tokenizerConfig === null || typeof tokenizerConfig !== 'object' || Array.isArray(tokenizerConfig)) {
      throw new TokenizerFileError(`${source}: tokenizer_config.json must be a JSON object`);
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(structuredClone(json), tokenizerConfig);
      applyRustSemantics(tokenizer, json);
    } catch (error) {
      throw new TokenizerFileError(`${source}: cannot be loaded: ${(error as Error).message}`);
    }
    const config = options.config;
    return new LontarTokenizer({ source, family, json, tokenizer, tokenizerConfig: tokenizerConfig as Record<string, unknown>, config });
  }

  /** How many special tokens `encode` adds around one text (or a pair). */
  specialTokenCount(pair = false): number {
    return specialTokenCount(pair ? this.template.pair : this.template.single);
  }

  /** Token strings of a text, without special tokens (byte-level tokens in their Ġ-form). */
  tokenize(text: string): string[] {
    return this.tokenizer.tokenize(text, { add_special_tokens: false });
  }

  /** How the normalizer and pre-tokenizer cut a text before the model (byte-level pieces in their Ġ-form). */
  preTokenize(text: string): string[] {
    const normalized = this.tokenizer.normalizer ? this.tokenizer.normalizer(text) : text;
    return this.tokenizer.pre_tokenizer ? this.tokenizer.pre_tokenizer(normalized, { section_index: 0 }) : [normalized];
  }

  /** Token ids of a text, without special tokens. */
  encodeText(text: string): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    if (ids.some((id) => !Number.isInteger(id))) {
      throw new TokenizerFileError(`${this.source}: text ${JSON.stringify(text.slice(0, 40))} produced a token with no id (and the model has no unk token)`);
    }
    return ids;
  }

  /** One text or pair → ids with special tokens, truncated to fit `maxLength`. */
  encode(input: TextInput, options: EncodeOptions = {}): EncodedText {
    const [textA, textB] = typeof input === 'string' ? [input, null] : input;
    const pieces = options.addSpecialTokens === false ? null : textB === null ? this.template.single : this.template.pair;
    let a = this.encodeText(textA);
    let b = textB === null ? null : this.encodeText(textB);
    const maxLength = options.maxLength ?? this.maxLength;
    if (options.maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
      throw new RangeError(`maxLength must be a positive integer, got ${options.maxLength}`);
    }
    if (options.maxLength !== undefined && maxLength > this.maxLength) {
      throw new RangeError(`maxLength ${maxLength} exceeds the model's limit of ${this.maxLength} tokens`);
    }
    const specials = pieces ? specialTokenCount(pieces) : 0;
    const budget = maxLength - specials;
    if (budget < (b === null ? 1 : 2)) throw new RangeError(`maxLength ${maxLength} leaves no room for text after ${specials} special tokens`);
    const side = options.truncationSide ?? 'right';
    const before = a.length + (b?.length ?? 0);
    if (b === null) a = cut(a, budget, side);
    else [a, b] = truncatePair(a, b, budget, side);
    const truncated = a.length + (b?.length ?? 0) < before;
    if (!pieces) {
      const ids = b ? [...a, ...b] : a;
      return { inputIds: ids, tokenTypeIds: b ? [...a.map(() => 0), ...b.map(() => 1)] : ids.map(() => 0), truncated };
    }
    const { ids, typeIds } = applyTemplate(pieces, a, b);
    return { inputIds: ids, tokenTypeIds: typeIds, truncated };
  }

  /** Encodes and pads a batch; the attention mask marks real tokens with 1. */
  encodeBatch(inputs: readonly TextInput[], options: BatchOptions = {}): EncodedBatch {
    const rows = inputs.map((input) => this.encode(input, options));
    const longest = rows.reduce((n, r) => Math.max(n, r.inputIds.length), 0);
    const padTo = options.padTo ?? 'longest';
    const length = padTo === 'longest' ? longest : padTo;
    if (length < longest) throw new RangeError(`padTo ${length} is shorter than the longest row (${longest} tokens); set maxLength`);
    const side = options.paddingSide ?? this.paddingSide;
    const pad = <T>(row: readonly T[], fill: T): T[] => {
      const padding = new Array<T>(length - row.length).fill(fill);
      return side === 'left' ? [...padding, ...row] : [...row, ...padding];
    };
    return {
      inputIds: rows.map((r) => pad(r.inputIds, this.padTokenId)),
      attentionMask: rows.map((r) => pad(r.inputIds.map(() => 1), 0)),
      tokenTypeIds: this.withTokenTypes ? rows.map((r) => pad(r.tokenTypeIds, 0)) : null,
      lengths: rows.map((r) => r.inputIds.length),
      truncated: rows.map((r) => r.truncated),
      sequenceLength: length,
      paddingSide: side,
    };
  }

  /** Text of token ids; exact inverse of encodeText for byte-level BPE. */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new RangeError(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
      }
    }
    if (ids.length === 0) return '';
    return this.tokenizer.decode([...ids], {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: this.cleanUpSpaces,
    });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  /**
   * Pad id: config.json's pad_token_id, else tokenizer_config's pad_token, else tokenizer.json's
   * padding, else (decoders, whose padding is masked anyway) the EOS token.
   */
  private resolvePadId(json: TokenizerJson, tokenizerConfig: Record<string, unknown>, config: ModelConfig | undefined): number {
    if (config?.padTokenId !== null && config?.padTokenId !== undefined) return config.padTokenId;
    const fromToken = (value: unknown): number | undefined => {
      const content = typeof value === 'string' ? value : (value as { content?: unknown } | null)?.content;
      return typeof content === 'string' ? this.tokenizer.token_to_id(content) : undefined;
    };
    const candidates = [
      fromToken(tokenizerConfig['pad_token']),
      json.padding?.pad_id ?? undefined,
      ...(this.paddingSide === 'left' ? [config?.eosTokenIds[0], fromToken(tokenizerConfig['eos_token'])] : []),
    ];
    const id = candidates.find((c) => c !== undefined && c !== null);
    if (id === undefined) {
      throw new TokenizerFileError(`${this.source}: no pad token (set pad_token_id in config.json or pad_token in tokenizer_config.json)`);
    }
    const limit = config?.vocabSize ?? this.vocabSize;
    if (id >= limit) throw new TokenizerFileError(`${this.source}: pad token id ${id} is outside the vocabulary (0..${limit - 1})`);
    return id;
  }
}

/** int64 tensors [batch, sequence] for the engine. */
export function batchToTensors(batch: EncodedBatch): Record<string, HostTensor<'int64'>> {
  const shape = [batch.inputIds.length, batch.sequenceLength];
  const out: Record<string, HostTensor<'int64'>> = {
    input_ids: int64Tensor(shape, batch.inputIds.flat()),
    attention_mask: int64Tensor(shape, batch.attentionMask.flat()),
  };
  if (batch.tokenTypeIds) out['token_type_ids'] = int64Tensor(shape, batch.tokenTypeIds.flat());
  return out;
}

function cut(ids: number[], keep: number, side: TruncationSide): number[] {
  if (ids.length <= keep) return ids;
  return side === 'right' ? ids.slice(0, keep) : ids.slice(ids.length - keep);
}

/** The Rust "longest_first" rule: cut only the longer text if that suffices, else split the budget. */
function truncatePair(a: number[], b: number[], budget: number, side: TruncationSide): [number[], number[]] {
  if (a.length + b.length <= budget) return [a, b];
  const swap = a.length > b.length;
  let n1 = Math.min(a.length, b.length);
  let n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
  if (n1 + n2 > budget) {
    n1 = Math.floor(budget / 2);
    n2 = n1 + (budget % 2);
  }
  const [keepA, keepB] = swap ? [n2, n1] : [n1, n2];
  return [cut(a, keepA, side), cut(b, keepB, side)];
}

/** Positions the model can embed: XLM-R's start after pad_token_id, so it has two fewer. */
function modelLimit(config: ModelConfig | undefined, tokenizerConfig: Record<string, unknown>): number {
  const declared = tokenizerConfig['model_max_length'];
  const fromTokenizer = typeof declared === 'number' && declared > 0 && declared < 1e9 ? declared : Infinity;
  const fromModel = config ? config.maxPositions - config.positionOffset : Infinity;
  return Math.min(fromTokenizer, fromModel);
}
