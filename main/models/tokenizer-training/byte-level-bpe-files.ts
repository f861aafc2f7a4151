// The files of a byte-level BPE tokenizer as Hugging Face writes them for Qwen2: tokenizer.json
// (NFC normalizer optional, Split with Qwen2's regex then ByteLevel, BPE model, ByteLevel decoder)
// and tokenizer_config.json (special tokens, no BOS, pad = EOS). Vocabulary ids: the 256 byte
// symbols in byte order, then each merge's result in merge order, then the special tokens.

import { BYTE_ALPHABET, QWEN2_SPLIT_REGEX } from './byte-level';
import type { Merge } from './bpe-merges';

export const END_OF_TEXT = '<|endoftext|>';

export interface ByteLevelBpeJsonOptions {
  merges: readonly Merge[];
  /** Qwen2-style Split + ByteLevel (default) or GPT-2-style ByteLevel with its built-in regex. */
  style?: 'qwen2' | 'gpt2';
  /** e.g. { type: 'NFC' } as in Qwen2; default none. */
  normalizer?: Record<string, unknown> | null;
  /** Added after the BPE vocabulary (default: Qwen2's three). */
  specialTokens?: readonly string[];
}

/** A tokenizer.json object for the merges; every merge's parts are checked to exist first. */
export function byteLevelBpeTokenizerJson(options: ByteLevelBpeJsonOptions): Record<string, unknown> {
  const vocab = new Map<string, number>(BYTE_ALPHABET.map((c, i) => [c, i]));
  options.merges.forEach(([a, b], i) => {
    if (!vocab.has(a) || !vocab.has(b)) throw new Error(`merge ${i} (${JSON.stringify(a)} + ${JSON.stringify(b)}) uses a token no earlier merge made`);
    if (!vocab.has(a + b)) vocab.set(a + b, vocab.size);
  });
  const specials = options.specialTokens ?? [END_OF_TEXT, '<|im_start|>', '<|im_end|>'];
  const addedTokens = specials.map((content, i) => ({
    id: vocab.size + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevelComponent = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: options.style === 'gpt2' };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: options.normalizer ?? null,
    pre_tokenizer:
      options.style === 'gpt2'
        ? byteLevelComponent
        : {
            type: 'Sequence',
            pretokenizers: [
              { type: 'Split', pattern: { Regex: QWEN2_SPLIT_REGEX }, behavior: 'Isolated', invert: false },
              byteLevelComponent,
            ],
          },
    post_processor: { ...byteLevelComponent, use_regex: false },
    decoder: { ...byteLevelComponent, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges: options.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/** tokenizer_config.json of a Qwen2 base model: no BOS, EOS and padding both `<|endoftext|>`. */
export function qwen2TokenizerConfig(tokenizerJson: Record<string, unknown>, modelMaxLength: number): Record<string, unknown> {
  const added = tokenizerJson['added_tokens'] as { id: number; content: string }[];
  if (!added.some((t) => t.content === END_OF_TEXT)) throw new Error(`the tokenizer has no ${END_OF_TEXT} token`);
  const decoder = Object.fromEntries(
    added.map(({ id, content }) => [String(id), { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }]),
  );
  return {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: decoder,
    additional_special_tokens: added.map((t) => t.content).filter((c) => c !== END_OF_TEXT),
    bos_token: null,
    clean_up_tokenization_spaces: false,
    eos_token: END_OF_TEXT,
    errors: 'replace',
    model_max_length: modelMaxLength,
    pad_token: END_OF_TEXT,
    split_special_tokens: false,
    tokenizer_class: 'Qwen2Tokenizer',
    unk_token: null,
  };
}
