import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseModelConfig } from '../../main/models/config';
import { labelWordTokenIds } from '../../main/models/label-words';
import { batchToTensors, LontarTokenizer } from '../../main/models/tokenizer';
import { BERT_CLASSIFIER, QWEN25_05B, XLMR_BASE } from './fixtures/configs';
import { byteLevel, byteLevelBpeJson, wordPieceJson } from './fixtures/tokenizer-files';
import { tempDir } from './fixtures/temp-dir';

const CORPUS = ['the film was good', 'the food was bad', 'the service was fine', 'makanan enak sekali', 'filmnya bagus'];
const bpeJson = byteLevelBpeJson({ corpus: CORPUS, merges: 40, wholeWords: [' negative', ' neutral', ' sentiment'], pieces: [' pos', 'itive'] });
const qwenConfig = parseModelConfig({ ...QWEN25_05B, vocab_size: 1000 });
const dir = tempDir();
writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(bpeJson));
writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '<|endoftext|>', clean_up_tokenization_spaces: false }));
const qwen = LontarTokenizer.load(dir, { config: qwenConfig });
const endOfText = qwen.tokenToId('<|endoftext|>')!;

const bertWords = ['the', 'cat', 'sat', 'un', '##believ', '##able', ',', '.', '!', 'cafe', '北', '京', 'οδοσ', 'dog', 'ran'];
const bertConfig = parseModelConfig(BERT_CLASSIFIER);
const bert = LontarTokenizer.fromObjects(wordPieceJson(bertWords), { pad_token: '[PAD]' }, { config: bertConfig });
const ids = (tok: LontarTokenizer, ...tokens: string[]) => tokens.map((t) => tok.tokenToId(t)!);

test('decoders pad on the left with the pad token, masks mark real tokens, no special tokens for qwen2', () => {
  assert.equal(qwen.paddingSide, 'left');
  assert.equal(qwen.padTokenId, endOfText);
  const batch = qwen.encodeBatch(['the film was good', 'bad']);
  const [long, short] = [qwen.encodeText('the film was good'), qwen.encodeText('bad')];
  assert.equal(batch.sequenceLength, long.length);
  assert.deepEqual(batch.inputIds[0], long);
  assert.deepEqual(batch.inputIds[1], [...new Array(long.length - short.length).fill(endOfText), ...short]);
  assert.deepEqual(batch.attentionMask[1], [...new Array(long.length - short.length).fill(0), ...short.map(() => 1)]);
  assert.deepEqual(batch.lengths, [long.length, short.length]);
  assert.equal(batch.tokenTypeIds, null);

  const tensors = batchToTensors(batch);
  assert.deepEqual(tensors['input_ids']!.shape, [2, long.length]);
  assert.equal(tensors['input_ids']!.dtype, 'int64');
  assert.equal((tensors['attention_mask']!.data as BigInt64Array)[long.length], 0n);
  assert.equal(tensors['token_type_ids'], undefined);

  const right = qwen.encodeBatch(['the film was good', 'bad'], { paddingSide: 'right', padTo: long.length + 2 });
  assert.deepEqual(right.inputIds[1], [...short, ...new Array(long.length + 2 - short.length).fill(endOfText)]);
  assert.throws(() => qwen.encodeBatch(['the film was good'], { padTo: 2 }), /padTo 2 is shorter than the longest row/);
});

test('a decoder pair is A then B; Llama-style templates add BOS and keep room for it when truncating', () => {
  const a = qwen.encodeText('the film');
  const b = qwen.encodeText(' was good');
  assert.deepEqual(qwen.encode(['the film', ' was good']).inputIds, [...a, ...b]);

  const bos = endOfText + 1; // <|im_start|> stands in for a BOS token
  const llamaJson = {
    ...bpeJson,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [bos], tokens: ['<|im_start|>'] } },
    },
  };
  const llama = LontarTokenizer.fromObjects(llamaJson, { pad_token: '<|endoftext|>' }, { family: 'llama' });
  assert.deepEqual(llama.encode('the film').inputIds, [bos, ...a]);
  assert.deepEqual(llama.encode(['the film', ' was good']).inputIds, [bos, ...a, bos, ...b]);
  const cut = llama.encode('the film was good', { maxLength: 3 });
  assert.deepEqual(cut.inputIds, [bos, ...qwen.encodeText('the film was good').slice(0, 2)]);
  assert.equal(cut.truncated, true);
  const left = llama.encode('the film was good', { maxLength: 3, truncationSide: 'left' });
  assert.deepEqual(left.inputIds, [bos, ...qwen.encodeText('the film was good').slice(-2)]);
  assert.throws(() => llama.encode('the film', { maxLength: 1 }), /maxLength 1 leaves no room for text after 1 special tokens/);
});

test('BERT: [CLS] A [SEP] B [SEP] with segment ids, right padding, per-character normalization', () => {
  assert.equal(bert.paddingSide, 'right');
  assert.equal(bert.padTokenId, 0);
  const single = bert.encode('The cat sat.');
  assert.deepEqual(single.inputIds, [2, ...ids(bert, 'the', 'cat', 'sat', '.'), 3]);
  assert.deepEqual(single.tokenTypeIds, [0, 0, 0, 0, 0, 0]);
  const pair = bert.encode(['The cat', 'unbelievable!']);
  assert.deepEqual(pair.inputIds, [2, ...ids(bert, 'the', 'cat'), 3, ...ids(bert, 'un', '##believ', '##able', '!'), 3]);
  assert.deepEqual(pair.tokenTypeIds, [0, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.deepEqual(bert.encodeText('Café 北京 ΟΔΟΣ zebra'), [...ids(bert, 'cafe', '北', '京', 'οδοσ'), 1]);

  const batch = bert.encodeBatch([['The cat', 'unbelievable!'], 'dog']);
  assert.deepEqual(batch.inputIds[1], [2, ...ids(bert, 'dog'), 3, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(batch.attentionMask[1], [1, 1, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(batch.tokenTypeIds?.[0], [0, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.deepEqual(batch.tokenTypeIds?.[1], [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(batchToTensors(batch)['token_type_ids']?.shape, [2, 9]);
});

test('pairs truncate longest-first as the Rust tokenizers do', () => {
  const words = (n: number) => Array.from({ length: n }, () => 'cat').join(' ');
  const lengths = (a: number, b: number, maxLength: number) => {
    const e = bert.encode([words(a), words(b)], { maxLength });
    const firstSep = e.inputIds.indexOf(3);
    return [firstSep - 1, e.inputIds.length - firstSep - 2];
  };
  assert.deepEqual(lengths(10, 4, 8 + 3), [4, 4], 'only the longer is cut when that suffices');
  assert.deepEqual(lengths(10, 2, 8 + 3), [6, 2]);
  assert.deepEqual(lengths(10, 10, 7 + 3), [3, 4], 'both cut: the second gets the odd token');
  assert.deepEqual(lengths(3, 3, 20), [3, 3]);
  assert.equal(bert.encode([words(10), words(10)], { maxLength: 10 }).truncated, true);
  assert.throws(() => bert.encode('cat', { maxLength: 600 }), /maxLength 600 exceeds the model's limit of 512 tokens/);
});

test('XLM-R style: <s> A </s></s> B </s>, type ids all 0, limit is max positions minus the pad offset', () => {
  const json = {
    ...wordPieceJson(bertWords, { lowercase: false }),
    post_processor: { type: 'RobertaProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2], trim_offsets: true, add_prefix_space: true },
  };
  const xlmrConfig = parseModelConfig({ ...XLMR_BASE, pad_token_id: 0, vocab_size: 100 });
  const xlmr = LontarTokenizer.fromObjects(json, {}, { config: xlmrConfig });
  assert.equal(xlmr.maxLength, 514 - 1);
  const pair = xlmr.encode(['cat', 'dog']);
  assert.deepEqual(pair.inputIds, [2, ...ids(xlmr, 'cat'), 3, 3, ...ids(xlmr, 'dog'), 3]);
  assert.deepEqual(pair.tokenTypeIds, [0, 0, 0, 0, 0, 0]);
});

test('decode inverts encode exactly, including spaces before punctuation, and checks ids', () => {
  for (const text of ['a . b , c !', '  leading and trailing  ', 'baris\r\nbaru\ttab', 'ṡ̃ combining', '👩‍👩‍👧 emoji', '<|endoftext|> inside']) {
    assert.equal(qwen.decode(qwen.encodeText(text)), text);
  }
  assert.equal(qwen.decode([]), '');
  assert.equal(qwen.decode([...qwen.encodeText('hi'), endOfText], { skipSpecialTokens: true }), 'hi');
  assert.throws(() => qwen.decode([qwen.vocabSize]), /token id \d+ is outside the vocabulary/);
  assert.throws(() => qwen.decode([1.5]), /token id 1.5 is outside/);
});

test('label words: one token with a leading space, distinct; failures say how the word tokenizes', () => {
  const ok = labelWordTokenIds(qwen, ['negative', 'neutral']);
  assert.deepEqual(ok.map((l) => l.tokenId), [qwen.tokenToId(byteLevel(' negative')), qwen.tokenToId(byteLevel(' neutral'))]);
  assert.deepEqual(ok.map((l) => l.spaced), [' negative', ' neutral']);
  assert.throws(
    () => labelWordTokenIds(qwen, ['negative', 'neutral', 'positive']),
    (error: Error) => {
      assert.equal(error.name, 'LabelWordError');
      assert.match(error.message, /label word "positive" is 2 tokens, not one: " positive" → \[" pos", "itive"\]/);
      assert.doesNotMatch(error.message, /"negative"/);
      return true;
    },
  );
  // A Thai word splits inside characters here: those pieces are shown as raw byte-level tokens.
  assert.throws(() => labelWordTokenIds(qwen, ['negative', 'ดี']), (error: Error) => {
    assert.match(error.message, /label word "ดี" is 7 tokens, not one: " ดี" → \[" ", "à", "¸", "Ķ", "à", "¸", "µ"\]/);
    return true;
  });
  assert.throws(() => labelWordTokenIds(qwen, ['negative', 'negative']), /label words "negative" and "negative" are the same token/);
  assert.throws(() => labelWordTokenIds(qwen, ['negative', ' neutral']), /must be non-empty without surrounding spaces/);
  assert.throws(() => labelWordTokenIds(qwen, ['negative']), /at least two label words/);
});

test('a folder tokenizer refuses ids beyond the model vocab and needs a pad token for encoders', () => {
  const small = parseModelConfig({ ...QWEN25_05B, vocab_size: 100 });
  assert.throws(() => LontarTokenizer.load(dir, { config: small }), /token ids reach \d+, beyond the model's vocab_size 100/);
  const noPad = join(dir, 'nopad');
  mkdirSync(noPad);
  writeFileSync(join(noPad, 'tokenizer.json'), JSON.stringify(wordPieceJson(['a'])));
  const unpadded = parseModelConfig({ ...BERT_CLASSIFIER, pad_token_id: undefined });
  assert.equal(LontarTokenizer.load(noPad, { config: unpadded }).padTokenId, 0, "BERT's default pad id 0");
  const withEos = parseModelConfig({ ...QWEN25_05B, vocab_size: 1000, eos_token_id: endOfText });
  const decoderNoPad = LontarTokenizer.fromObjects(bpeJson, {}, { config: withEos });
  assert.equal(decoderNoPad.padTokenId, endOfText, 'decoders fall back to EOS: padding is masked anyway');
  assert.throws(() => LontarTokenizer.fromObjects(bpeJson, {}, { config: qwenConfig }), /pad token id 151643 is outside the vocabulary \(0\.\.999\)/);
});

test('Unigram with Metaspace (XLM-R style) encodes per ▁-word and decodes back', () => {
  const vocab: [string, number][] = [
    ['<s>', 0], ['<pad>', 0], ['</s>', 0], ['<unk>', 0],
    ['▁', -2], ['▁Halo', -3], ['▁dunia', -3], ['▁du', -4], ['nia', -4], ['H', -5], ['a', -5], ['l', -5], ['o', -5],
  ];
  const json = {
    added_tokens: ['<s>', '<pad>', '</s>', '<unk>'].map((content, id) => ({ id, content, special: true, normalized: false })),
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: true },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 3, vocab, byte_fallback: false },
  };
  const xlmr = LontarTokenizer.fromObjects(json, {}, { config: parseModelConfig({ ...XLMR_BASE, vocab_size: 13 }) });
  assert.equal(xlmr.padTokenId, 1);
  assert.deepEqual(xlmr.tokenize('Halo dunia'), ['▁Halo', '▁dunia']);
  assert.deepEqual(xlmr.encode('Halo dunia').inputIds, [0, 5, 6, 2]);
  assert.equal(xlmr.decode(xlmr.encodeText('Halo dunia')), 'Halo dunia');
  assert.deepEqual(xlmr.encodeText('Halo zzz'), [5, 4, 3], 'unknown characters become <unk>');
});

test("a Qwen2-style NFC normalizer composes text first, so the round trip gives the NFC form", () => {
  const nfc = LontarTokenizer.fromObjects(byteLevelBpeJson({ normalizer: { type: 'NFC' } }), { pad_token: '<|endoftext|>' }, { family: 'qwen2' });
  const decomposed = 'Tie\u0302\u0301ng Vie\u0323\u0302t';
  assert.notEqual(decomposed, decomposed.normalize('NFC'));
  assert.equal(nfc.decode(nfc.encodeText(decomposed)), decomposed.normalize('NFC'));
  assert.equal(qwen.decode(qwen.encodeText(decomposed)), decomposed, 'without a normalizer the bytes survive as they are');
});
