// The label-word rule of label-word classification: each label word, written after a space as it
// follows the prompt (" positive"), must be exactly one token, and no two labels may share it;
// otherwise the label logits are not comparable. Failures say how the word does tokenize.

import type { LontarTokenizer } from './tokenizer';

export class LabelWordError extends Error {
  override name = 'LabelWordError';
}

export interface LabelWordToken {
  readonly word: string;
  /** The text actually tokenized: the word with one leading space. */
  readonly spaced: string;
  readonly tokenId: number;
}

/**
 * How a text tokenizes, each token shown as the text it decodes to (or, for a byte-level token
 * holding part of a character, as the raw token string, since alone it decodes to U+FFFD).
 */
export function describeTokenization(tokenizer: LontarTokenizer, text: string): string[] {
  return tokenizer.encodeText(text).map((id) => {
    const decoded = tokenizer.decode([id]);
    return decoded.includes('\ufffd') ? (tokenizer.idToToken(id) ?? decoded) : decoded;
  });
}

/** Checks every label word and returns their token ids in order; throws naming each failing word. */
export function labelWordTokenIds(tokenizer: LontarTokenizer, words: readonly string[]): LabelWordToken[] {
  if (words.length < 2) throw new LabelWordError(`label-word classification needs at least two label words, got ${words.length}`);
  const problems: string[] = [];
  const out: LabelWordToken[] = [];
  const owner = new Map<number, string>();
  for (const word of words) {
    if (word.trim() === '' || word !== word.trim()) {
      problems.push(`label word ${JSON.stringify(word)} must be non-empty without surrounding spaces (the leading space is added)`);
      continue;
    }
    const spaced = ` ${word}`;
    const ids = tokenizer.encodeText(spaced);
    if (ids.length !== 1) {
      const pieces = describeTokenization(tokenizer, spaced).map((p) => JSON.stringify(p));
      problems.push(`label word "${word}" is ${ids.length} tokens, not one: "${spaced}" → [${pieces.join(', ')}]`);
      continue;
    }
    const id = ids[0]!;
    const other = owner.get(id);
    if (other !== undefined) problems.push(`label words "${other}" and "${word}" are the same token (${id})`);
    owner.set(id, word);
    out.push({ word, spaced, tokenId: id });
  }
  if (problems.length > 0) throw new LabelWordError(`${tokenizer.source}: ${problems.join('; ')}`);
  return out;
}
