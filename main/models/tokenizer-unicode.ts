// Makes the JS tokenizer split and normalize text as the Rust `tokenizers` crate does. The library
// translates Split regexes faithfully, but several built-in components use JavaScript shorthands
// whose meaning differs: `\w` and `\d` are ASCII-only, `\s` wrongly includes U+FEFF and misses U+0085,
// `toLowerCase` applies the Greek final-sigma rule, split behaviours other than Isolated/Removed are
// not implemented, and Metaspace never splits. Those components are replaced here, in place, on the
// loaded tokenizer, by code that follows the Rust definitions.

import {
  BertNormalizer,
  BertPreTokenizer,
  ByteLevelPreTokenizer,
  DigitsPreTokenizer,
  LowercaseNormalizer,
  MetaspacePreTokenizer,
  PunctuationPreTokenizer,
  SplitPreTokenizer,
  WhitespacePreTokenizer,
  WhitespaceSplitPreTokenizer,
  type Normalizer,
  type PreTokenizer,
  type Tokenizer,
} from '@huggingface/tokenizers';

export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

/** Rust's `regex` crate `\w` (Unicode), used by the Whitespace pre-tokenizer. */
const WORD = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
/** Rust `is_bert_punc` / `is_punc`: ASCII punctuation or any Unicode P* character. */
const PUNCTUATION = /[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]/u;
/** The GPT-2 pattern the ByteLevel pre-tokenizer uses, with Oniguruma's `\s` (the White_Space property). */
const BYTE_LEVEL_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;
const WHITESPACE_PATTERN = new RegExp(`[${WORD}]+|[^${WORD}\\p{White_Space}]+`, 'gu');

type Span = [start: number, end: number];

/**
 * Splits `text` given the spans a pattern matched, as Rust's NormalizedString::split does
 * (with `invert`, the non-matching stretches play the delimiter role). Empty pieces are dropped.
 */
export function splitWithBehavior(text: string, matched: readonly Span[], behavior: SplitBehavior, invert = false): string[] {
  const parts: { start: number; end: number; isMatch: boolean }[] = [];
  let previous = 0;
  for (const [start, end] of matched) {
    if (start > previous) parts.push({ start: previous, end: start, isMatch: invert });
    parts.push({ start, end, isMatch: !invert });
    previous = end;
  }
  if (previous < text.length) parts.push({ start: previous, end: text.length, isMatch: invert });

  const pieces: Span[] = [];
  switch (behavior) {
    case 'Removed':
      for (const p of parts) if (!p.isMatch) pieces.push([p.start, p.end]);
      break;
    case 'Isolated':
      for (const p of parts) pieces.push([p.start, p.end]);
      break;
    case 'Contiguous': {
      let previousMatch: boolean | undefined;
      for (const p of parts) {
        const last = pieces[pieces.length - 1];
        if (last && p.isMatch === previousMatch) last[1] = p.end;
        else pieces.push([p.start, p.end]);
        previousMatch = p.isMatch;
      }
      break;
    }
    case 'MergedWithPrevious': {
      let previousMatch = false;
      for (const p of parts) {
        const last = pieces[pieces.length - 1];
        if (p.isMatch && !previousMatch && last) last[1] = p.end;
        else pieces.push([p.start, p.end]);
        previousMatch = p.isMatch;
      }
      break;
    }
    case 'MergedWithNext': {
      let previousMatch = false;
      for (const p of [...parts].reverse()) {
        const last = pieces[pieces.length - 1];
        if (p.isMatch && !previousMatch && last) last[0] = p.start;
        else pieces.push([p.start, p.end]);
        previousMatch = p.isMatch;
      }
      pieces.reverse();
      break;
    }
  }
  return pieces.filter(([s, e]) => e > s).map(([s, e]) => text.slice(s, e));
}

/** Spans of a global regex's matches (empty matches included, as Rust reports them). */
export function regexSpans(text: string, pattern: RegExp): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(pattern)) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

/** One span per code point satisfying `test` (Rust's char-predicate patterns). */
function charSpans(text: string, test: (ch: string) => boolean): Span[] {
  const spans: Span[] = [];
  let i = 0;
  for (const ch of text) {
    if (test(ch)) spans.push([i, i + ch.length]);
    i += ch.length;
  }
  return spans;
}

const isNumeric = (ch: string) => /\p{N}/u.test(ch);
const isWhitespace = (ch: string) => /\p{White_Space}/u.test(ch);
const isPunctuation = (ch: string) => PUNCTUATION.test(ch);

/** Rust's per-character lowercase (no final-sigma context, unlike String.prototype.toLowerCase). */
export function lowercaseByChar(text: string): string {
  let out = '';
  for (const ch of text) out += ch.toLowerCase();
  return out;
}

/** Replaces divergent components of a loaded tokenizer; `config` is its validated tokenizer.json. */
export function applyRustSemantics(tokenizer: Tokenizer, config: { normalizer: unknown; pre_tokenizer: unknown }): void {
  if (tokenizer.normalizer) patchNormalizer(tokenizer.normalizer, config.normalizer as Record<string, unknown>);
  if (tokenizer.pre_tokenizer) patchPreTokenizer(tokenizer.pre_tokenizer, config.pre_tokenizer as Record<string, unknown>);
}

function patchPreTokenizer(node: PreTokenizer, config: Record<string, unknown>): void {
  if (config['type'] === 'Sequence') {
    const children = (node as unknown as { tokenizers: (PreTokenizer | null)[] }).tokenizers;
    const childConfigs = config['pretokenizers'] as Record<string, unknown>[];
    children.forEach((child, i) => child && patchPreTokenizer(child, childConfigs[i]!));
    return;
  }
  if (node instanceof ByteLevelPreTokenizer) {
    node.pattern = BYTE_LEVEL_PATTERN;
  } else if (node instanceof WhitespacePreTokenizer) {
    node.pre_tokenize_text = (text: string) => text.match(WHITESPACE_PATTERN) ?? [];
  } else if (node instanceof WhitespaceSplitPreTokenizer) {
    node.pre_tokenize_text = (text: string) => splitWithBehavior(text, charSpans(text, isWhitespace), 'Removed');
  } else if (node instanceof BertPreTokenizer) {
    node.pre_tokenize_text = (text: string) =>
      splitWithBehavior(text, charSpans(text, isWhitespace), 'Removed').flatMap((word) =>
        splitWithBehavior(word, charSpans(word, isPunctuation), 'Isolated'),
      );
  } else if (node instanceof PunctuationPreTokenizer) {
    const behavior = (config['behavior'] as SplitBehavior | undefined) ?? 'Isolated';
    node.pre_tokenize_text = (text: string) => splitWithBehavior(text, charSpans(text, isPunctuation), behavior);
  } else if (node instanceof DigitsPreTokenizer) {
    const behavior: SplitBehavior = config['individual_digits'] ? 'Isolated' : 'Contiguous';
    node.pre_tokenize_text = (text: string) => splitWithBehavior(text, charSpans(text, isNumeric), behavior);
  } else if (node instanceof SplitPreTokenizer) {
    const pattern = node.pattern;
    if (!pattern) throw new Error('Split pre-tokenizer has no usable pattern');
    const behavior = config['behavior'] as SplitBehavior;
    const invert = config['invert'] === true;
    node.pre_tokenize_text = (text: string) => splitWithBehavior(text, regexSpans(text, pattern), behavior, invert);
  } else if (node instanceof MetaspacePreTokenizer) {
    // Rust splits on the replacement character (merged with the next piece) unless split is false.
    if (config['split'] !== false) {
      const replacement = (config['replacement'] as string | undefined) ?? '\u2581';
      const original = node.pre_tokenize_text.bind(node);
      node.pre_tokenize_text = (text: string, options?: unknown) =>
        original(text, options as never).flatMap((piece) =>
          splitWithBehavior(piece, charSpans(piece, (ch) => ch === replacement), 'MergedWithNext'),
        );
    }
  }
}

function patchNormalizer(node: Normalizer, config: Record<string, unknown>): void {
  if (config['type'] === 'Sequence') {
    const children = (node as unknown as { normalizers: (Normalizer | null)[] }).normalizers;
    const childConfigs = config['normalizers'] as Record<string, unknown>[];
    children.forEach((child, i) => child && patchNormalizer(child, childConfigs[i]!));
    return;
  }
  if (node instanceof LowercaseNormalizer) {
    node.normalize = lowercaseByChar;
  } else if (node instanceof BertNormalizer) {
    node.normalize = (text: string) => bertNormalize(text, config);
  }
}

/** The Rust BertNormalizer: clean, space out CJK, strip accents (default: when lowercasing), lowercase. */
export function bertNormalize(text: string, config: Record<string, unknown>): string {
  const lowercase = config['lowercase'] !== false;
  if (config['clean_text'] !== false) {
    let cleaned = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || cp === 0xfffd || (!'\t\n\r'.includes(ch) && /\p{C}/u.test(ch))) continue;
      cleaned += ch === '\t' || ch === '\n' || ch === '\r' || isWhitespace(ch) ? ' ' : ch;
    }
    text = cleaned;
  }
  if (config['handle_chinese_chars'] !== false) {
    let spaced = '';
    for (const ch of text) spaced += isChineseChar(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
    text = spaced;
  }
  const stripAccents = (config['strip_accents'] as boolean | null | undefined) ?? lowercase;
  if (stripAccents) text = text.normalize('NFD').replace(/\p{Mn}/gu, '');
  if (lowercase) text = lowercaseByChar(text);
  return text;
}

/** The CJK Unified Ideograph blocks BERT surrounds with spaces (code points, astral planes included). */
function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}
