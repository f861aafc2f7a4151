// Pre-tokenization and normalization must follow the Rust tokenizers' Unicode definitions; each
// case below is one where a plain JavaScript regex or toLowerCase gives a different answer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LontarTokenizer } from '../../main/models/tokenizer';
import { bertNormalize, splitWithBehavior, type SplitBehavior } from '../../main/models/tokenizer-unicode';
import { byteLevel, byteLevelBpeJson, wordPieceJson } from './fixtures/tokenizer-files';

const qwen2 = LontarTokenizer.fromObjects(byteLevelBpeJson(), { pad_token: '<|endoftext|>' }, { family: 'qwen2' });
const gpt2 = LontarTokenizer.fromObjects(byteLevelBpeJson({ style: 'gpt2' }), { pad_token: '<|endoftext|>' }, { family: 'qwen2' });
const pieces = (tok: LontarTokenizer, text: string) => tok.preTokenize(text);
const bl = (list: string[]) => list.map(byteLevel);

function wordPiece(preTokenizer: Record<string, unknown>, normalizer: Record<string, unknown> | null = null): LontarTokenizer {
  const json = { ...wordPieceJson(['x']), pre_tokenizer: preTokenizer, normalizer };
  return LontarTokenizer.fromObjects(json, { pad_token: '[PAD]' }, { family: 'bert' });
}

test('split behaviours match the Rust definitions on "the-final--countdown"', () => {
  const text = 'the-final--countdown';
  const dashes: [number, number][] = [[3, 4], [9, 10], [10, 11]];
  const expected: Record<SplitBehavior, string[]> = {
    Removed: ['the', 'final', 'countdown'],
    Isolated: ['the', '-', 'final', '-', '-', 'countdown'],
    MergedWithPrevious: ['the-', 'final-', '-', 'countdown'],
    MergedWithNext: ['the', '-final', '-', '-countdown'],
    Contiguous: ['the', '-', 'final', '--', 'countdown'],
  };
  for (const [behavior, want] of Object.entries(expected)) {
    assert.deepEqual(splitWithBehavior(text, dashes, behavior as SplitBehavior), want, behavior);
  }
  assert.deepEqual(splitWithBehavior(text, dashes, 'Removed', true), ['-', '-', '-'], 'inverted: the matches are kept');
});

test('Qwen2 split regex keeps Unicode letters, marks and digits as Rust does (Thai, Chinese, diacritics)', () => {
  // Thai vowel signs such as U+0E35 are marks (Mn), not letters: they start a new piece.
  assert.deepEqual(pieces(qwen2, 'ภาษาไทย ดีมาก'), bl(['ภาษาไทย', ' ด', 'ีมาก']));
  assert.deepEqual(pieces(qwen2, '我爱北京'), bl(['我爱北京']));
  assert.deepEqual(pieces(qwen2, 'Tiếng Việt'), bl(['Tiếng', ' Việt']));
  assert.deepEqual(pieces(qwen2, 'Rp１２3'), bl(['Rp', '１', '２', '3']), 'every Unicode digit alone');
  // (?i:...) contractions are case-insensitive in Oniguruma.
  assert.deepEqual(pieces(qwen2, "DON'T it's"), bl(['DON', "'T", ' it', "'s"]));
  // Oniguruma's \s is the White_Space property: U+FEFF is not whitespace.
  assert.deepEqual(pieces(qwen2, 'a\ufeff\ufeffb'), bl(['a', '\ufeff\ufeff', 'b']));
  assert.deepEqual(pieces(qwen2, 'a\n\nb  c'), bl(['a', '\n\n', 'b', ' ', ' c']));
});

test('the ByteLevel built-in regex uses White_Space: U+0085 is whitespace, U+FEFF is not', () => {
  assert.deepEqual(pieces(gpt2, 'a\ufeff\ufeffb'), bl(['a', '\ufeff\ufeff', 'b']));
  assert.deepEqual(pieces(gpt2, 'a\u0085\u0085b'), bl(['a', '\u0085', '\u0085', 'b']));
  assert.deepEqual(pieces(gpt2, 'Halo dunia 123!'), bl(['Halo', ' dunia', ' 123', '!']));
});

test('Whitespace, WhitespaceSplit, Punctuation and Digits pre-tokenizers use Unicode classes', () => {
  assert.deepEqual(pieces(wordPiece({ type: 'Whitespace' }), 'ภาษา ไทย! café'), ['ภาษา', 'ไทย', '!', 'café']);
  assert.deepEqual(pieces(wordPiece({ type: 'WhitespaceSplit' }), 'a\u3000b\u0085c\ufeffd'), ['a', 'b', 'c\ufeffd']);
  assert.deepEqual(pieces(wordPiece({ type: 'Punctuation' }), 'hi!!«yo»'), ['hi', '!', '!', '«', 'yo', '»']);
  assert.deepEqual(pieces(wordPiece({ type: 'Punctuation', behavior: 'Contiguous' }), 'hi!!'), ['hi', '!!']);
  assert.deepEqual(pieces(wordPiece({ type: 'Digits', individual_digits: false }), 'ปี๒๕๖๗ 12'), ['ปี', '๒๕๖๗', ' ', '12']);
  assert.deepEqual(pieces(wordPiece({ type: 'Digits', individual_digits: true }), '๒๕'), ['๒', '๕']);
  assert.deepEqual(pieces(wordPiece({ type: 'BertPreTokenizer' }), ' Halo,dunia\u0085ok '), ['Halo', ',', 'dunia', 'ok']);
});

test('Metaspace splits at the replacement character as Rust does', () => {
  const metaspace = wordPiece({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true });
  assert.deepEqual(pieces(metaspace, 'Hello my  friend'), ['▁Hello', '▁my', '▁', '▁friend']);
  const unsplit = wordPiece({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: false });
  assert.deepEqual(pieces(unsplit, 'Hello my'), ['▁Hello▁my']);
});

test('lowercasing is per character (no Greek final sigma) and BertNormalizer handles astral CJK', () => {
  const lower = wordPiece({ type: 'WhitespaceSplit' }, { type: 'Lowercase' });
  assert.deepEqual(pieces(lower, 'ΟΔΟΣ İ'), ['οδοσ', 'i\u0307']);
  const config = { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true };
  assert.equal(bertNormalize('ΟΔΟΣ Café\u0000\u200b\tx𠀀y北', config), 'οδοσ cafe x 𠀀 y 北 ');
  assert.equal(bertNormalize('Café', { ...config, lowercase: false }), 'Café', 'accents kept when neither lowercasing nor asked');
  assert.equal(bertNormalize('Café', { ...config, lowercase: false, strip_accents: true }), 'Cafe');
});
