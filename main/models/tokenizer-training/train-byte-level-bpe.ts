// Trains a Qwen2-style byte-level BPE tokenizer from plain texts, deterministically.
//
// Words are cut by the very normalizer and pre-tokenizer the finished tokenizer.json will use (run
// through the same library Lontar loads tokenizers with), so learned merges match what encoding
// sees. Forced tokens (label words such as " positive") are completed after learning: the word's
// tokenization under the learned merges is joined by extra merges ranked last, which makes it one
// token without changing how any other word was learned. The vocabulary size is exact.

import { LontarTokenizer } from '../tokenizer';
import { BYTE_ALPHABET } from './byte-level';
import { byteLevelBpeTokenizerJson, END_OF_TEXT, qwen2TokenizerConfig } from './byte-level-bpe-files';
import { applyMerges, joiningMerges, learnBpeMerges, mergeRanks, type Merge } from './bpe-merges';

export interface TrainByteLevelBpeOptions {
  /** Tokens in the BPE vocabulary: the 256 byte symbols plus merges (special tokens come on top). */
  vocabSize: number;
  /** Texts that must each be exactly one token, e.g. " positive" (each must be one pre-token). */
  forcedTokens?: readonly string[];
  /** Default: only `<|endoftext|>` (end of text, also padding). */
  specialTokens?: readonly string[];
  /** Unicode normalization applied before splitting (default NFC, as in Qwen2). */
  normalization?: 'NFC' | 'none';
  /** A pair seen fewer times is never merged (default 2). */
  minFrequency?: number;
  /** tokenizer_config.json's model_max_length. */
  modelMaxLength: number;
}

export interface TrainedTokenizer {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  merges: Merge[];
  /** Merges learned from the texts (the rest complete forced tokens). */
  learnedMerges: number;
  distinctWords: number;
  /** Vocabulary size including special tokens. */
  totalVocabSize: number;
}

export function trainByteLevelBpe(texts: Iterable<string>, options: TrainByteLevelBpeOptions): TrainedTokenizer {
  if (!Number.isInteger(options.vocabSize) || options.vocabSize <= BYTE_ALPHABET.length) {
    throw new RangeError(`vocabSize must be an integer above ${BYTE_ALPHABET.length} (the byte symbols), got ${options.vocabSize}`);
  }
  const specialTokens = options.specialTokens ?? [END_OF_TEXT];
  const normalizer = (options.normalization ?? 'NFC') === 'NFC' ? { type: 'NFC' } : null;
  const files = (merges: readonly Merge[]) => {
    const json = byteLevelBpeTokenizerJson({ merges, normalizer, specialTokens });
    return { json, tokenizer: LontarTokenizer.fromObjects(json, { pad_token: END_OF_TEXT }, { family: 'qwen2' }) };
  };

  const splitter = files([]).tokenizer;
  const words = new Map<string, number>();
  for (const text of texts) for (const word of splitter.preTokenize(text)) words.set(word, (words.get(word) ?? 0) + 1);

  const learned = learnBpeMerges(words, { count: options.vocabSize - BYTE_ALPHABET.length, minFrequency: options.minFrequency });
  const forcedWords = (options.forcedTokens ?? []).map((token) => {
    const pieces = splitter.preTokenize(token);
    if (pieces.length !== 1) throw new Error(`forced token ${JSON.stringify(token)} is ${pieces.length} pre-tokens, so it cannot be one token`);
    return pieces[0]!;
  });
  // Give up the last learned merges until the forced tokens' completions fit the vocabulary size.
  let kept = learned.length;
  let merges: Merge[];
  for (;;) {
    merges = [...learned.slice(0, kept), ...completionMerges(learned.slice(0, kept), forcedWords)];
    const excess = BYTE_ALPHABET.length + distinctResults(merges) - options.vocabSize;
    if (excess <= 0) break;
    kept -= excess;
  }

  const { json, tokenizer } = files(merges);
  for (const token of options.forcedTokens ?? []) {
    const ids = tokenizer.encodeText(token);
    if (ids.length !== 1) throw new Error(`forced token ${JSON.stringify(token)} still encodes to ${ids.length} tokens`);
  }
  return {
    tokenizerJson: json,
    tokenizerConfig: qwen2TokenizerConfig(json, options.modelMaxLength),
    merges,
    learnedMerges: kept,
    distinctWords: words.size,
    totalVocabSize: tokenizer.vocabSize,
  };
}

/** Merges, ranked after all others, that turn each forced word into a single token. */
function completionMerges(base: readonly Merge[], forcedWords: readonly string[]): Merge[] {
  const extra: Merge[] = [];
  for (const word of forcedWords) {
    const pieces = applyMerges(word, mergeRanks([...base, ...extra]));
    extra.push(...joiningMerges(pieces));
  }
  return extra;
}

/** How many new vocabulary entries the merges create (two merges may build the same string). */
function distinctResults(merges: readonly Merge[]): number {
  return new Set(merges.map(([a, b]) => a + b)).size;
}
