// Tokenizer training: the fast merge learner agrees with a naive reference, training is deterministic
// and independent of text order, forced label words become single tokens within an exact vocabulary
// size, and the trained tokenizer round-trips NusaX texts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelWordTokenIds } from '../../main/models/label-words';
import { LontarTokenizer } from '../../main/models/tokenizer';
import { byteLevel } from '../../main/models/tokenizer-training/byte-level';
import { applyMerges, learnBpeMerges, mergeRanks, type Merge } from '../../main/models/tokenizer-training/bpe-merges';
import { trainByteLevelBpe } from '../../main/models/tokenizer-training/train-byte-level-bpe';
import { Rng } from '../../main/engine/random';
import { readNusaxPretrainingTexts } from '../../main/models/pretraining/nusax-corpus';
import { SHIPPED_NUSAX } from './fixtures';

/** The textbook algorithm: recount every pair after every merge (slow, obviously right). */
function naiveMerges(words: ReadonlyMap<string, number>, count: number): Merge[] {
  let split = [...words].map(([w, n]) => ({ symbols: [...w], n }));
  const out: Merge[] = [];
  while (out.length < count) {
    const pairs = new Map<string, number>();
    for (const { symbols, n } of split) {
      for (let i = 0; i + 1 < symbols.length; i++) pairs.set(`${symbols[i]}\u0000${symbols[i + 1]}`, (pairs.get(`${symbols[i]}\u0000${symbols[i + 1]}`) ?? 0) + n);
    }
    let best: string | undefined;
    let bestCount = 1; // a pair must be seen twice
    for (const [key, n] of pairs) if (n > bestCount || (n === bestCount && best !== undefined && key < best)) [best, bestCount] = [key, n];
    if (!best) break;
    const [a, b] = best.split('\u0000') as [string, string];
    out.push([a, b]);
    split = split.map(({ symbols, n }) => {
      const next: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (symbols[i] === a && symbols[i + 1] === b) next.push(a + symbols[++i]!);
        else next.push(symbols[i]!);
      }
      return { symbols: next, n };
    });
  }
  return out;
}

const nusax = readNusaxPretrainingTexts(SHIPPED_NUSAX);
const sample = nusax.texts.filter((t) => t.split === 'valid' && ['javanese', 'english', 'toba_batak'].includes(t.language)).map((t) => t.text);

test('the incremental merge learner gives exactly the merges of the naive algorithm', () => {
  const words = new Map<string, number>();
  for (const text of sample.slice(0, 120)) for (const w of text.match(/\s?\S+/gu) ?? []) words.set(byteLevel(w), (words.get(byteLevel(w)) ?? 0) + 1);
  const fast = learnBpeMerges(words, { count: 400 });
  assert.equal(fast.length, 400);
  assert.deepEqual(fast, naiveMerges(words, 400));
  // Repeated symbols ("aaaa") merge left to right, as the BPE model applies them.
  assert.deepEqual(learnBpeMerges(new Map([['aaaa', 3]]), { count: 5 }), naiveMerges(new Map([['aaaa', 3]]), 5));
  assert.deepEqual(applyMerges('aaaaa', mergeRanks([['a', 'a']])), ['aa', 'aa', 'a']);
});

test('tokenizer training is deterministic, ignores text order, and forces label words into single tokens', () => {
  const options = { vocabSize: 700, forcedTokens: [' negative', ' neutral', ' positive'], modelMaxLength: 128 };
  const a = trainByteLevelBpe(sample, options);
  const b = trainByteLevelBpe(sample, options);
  const shuffled = trainByteLevelBpe(new Rng(5).shuffle([...sample]), options);
  assert.equal(JSON.stringify(a.tokenizerJson), JSON.stringify(b.tokenizerJson));
  assert.equal(JSON.stringify(a.tokenizerJson), JSON.stringify(shuffled.tokenizerJson));
  assert.equal(a.totalVocabSize, 701, 'the BPE vocabulary is exactly vocabSize, plus <|endoftext|>');
  assert.ok(a.learnedMerges < a.merges.length, 'some merges were added to complete the label words');

  const tokenizer = LontarTokenizer.fromObjects(a.tokenizerJson, a.tokenizerConfig, { family: 'qwen2' });
  const labels = labelWordTokenIds(tokenizer, ['negative', 'neutral', 'positive']);
  assert.equal(new Set(labels.map((l) => l.tokenId)).size, 3);
  assert.equal(tokenizer.padTokenId, tokenizer.tokenToId('<|endoftext|>'));
  // Without forcing, a 700-token vocabulary does not make them single tokens: the forcing is what works.
  const plain = trainByteLevelBpe(sample, { ...options, forcedTokens: [] });
  assert.throws(() => labelWordTokenIds(LontarTokenizer.fromObjects(plain.tokenizerJson, plain.tokenizerConfig, { family: 'qwen2' }), ['negative', 'neutral', 'positive']), /label word "neutral" is \d+ tokens, not one/);
});

test('trained tokenizers round-trip every NusaX train and valid text exactly', () => {
  const trained = trainByteLevelBpe(sample, { vocabSize: 1000, modelMaxLength: 128 });
  const tokenizer = LontarTokenizer.fromObjects(trained.tokenizerJson, trained.tokenizerConfig, { family: 'qwen2' });
  let tokens = 0;
  for (const { text } of nusax.texts) {
    const ids = tokenizer.encodeText(text);
    tokens += ids.length;
    if (tokenizer.decode(ids) !== text) assert.fail(`round trip changed ${JSON.stringify(text)}`);
  }
  assert.ok(tokens > nusax.texts.length * 10, 'texts were really tokenized');
});

test('a forced token that spans two pre-tokens is refused, and tiny vocabularies are refused', () => {
  assert.throws(() => trainByteLevelBpe(sample, { vocabSize: 400, forcedTokens: [' two words'], modelMaxLength: 64 }), /2 pre-tokens/);
  assert.throws(() => trainByteLevelBpe(sample, { vocabSize: 256, modelMaxLength: 64 }), /vocabSize must be an integer above 256/);
});
