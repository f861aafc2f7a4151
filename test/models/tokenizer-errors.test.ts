import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LontarTokenizer } from '../../main/models/tokenizer';
import { byteLevelBpeJson, wordPieceJson } from './fixtures/tokenizer-files';
import { tempDir } from './fixtures/temp-dir';

const root = tempDir();
let counter = 0;
const bpe = byteLevelBpeJson({ corpus: ['the cat sat on the mat'], merges: 10 });
type Json = Record<string, any>;

/** Writes a tokenizer folder with the given tokenizer.json text and loads it. */
function load(text: string, tokenizerConfig: string | null = '{"pad_token": "<|endoftext|>"}'): LontarTokenizer {
  const dir = join(root, `tok-${counter++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'tokenizer.json'), text);
  if (tokenizerConfig !== null) writeFileSync(join(dir, 'tokenizer_config.json'), tokenizerConfig);
  return LontarTokenizer.load(dir, { family: 'qwen2' });
}

function broken(edit: (json: Json) => void): string {
  const json = structuredClone(bpe) as Json;
  edit(json);
  return JSON.stringify(json);
}

function refuses(text: string, message: RegExp): void {
  assert.throws(() => load(text), (error: Error) => {
    assert.equal(error.name, 'TokenizerFileError');
    assert.match(error.message, /tokenizer\.json: /, 'names the file');
    assert.match(error.message, message);
    return true;
  });
}

test('a valid folder loads', () => {
  assert.ok(load(JSON.stringify(bpe)).encodeText('the cat').length > 0);
});

test('broken tokenizer.json files give clear errors naming the problem', () => {
  refuses('{"model": {"type": "BPE", ', /not valid JSON/);
  refuses('[]', /\(root\): /);
  refuses(broken((j) => delete j['model']), /model: /);
  refuses(broken((j) => (j['model'].type = 'WordLevel')), /model\.type "WordLevel" is not supported \(supported: BPE, WordPiece, Unigram\)/);
  refuses(broken((j) => j['model'].merges.push('Ġ zz')), /model\.merges\[\d+\] \("Ġ" \+ "zz"\) uses "zz", which is not in the vocab/);
  refuses(broken((j) => j['model'].merges.push('a b c')), /model\.merges\[\d+\] "a b c" is not a pair of tokens/);
  refuses(broken((j) => (j['model'].vocab['dup'] = 0)), /model\.vocab gives id 0 to both "Ā" and "dup"/);
  refuses(broken((j) => (j['model'].vocab = 'nope')), /model\.vocab: /);
  refuses(broken((j) => (j['added_tokens'][0].id = -1)), /added_tokens\.0\.id: /);
  refuses(broken((j) => (j['pre_tokenizer'] = { type: 'Mystery' })), /cannot be loaded: Unknown PreTokenizer type: Mystery/);
  refuses(broken((j) => (j['pre_tokenizer'].pretokenizers[0].behavior = 'Sideways')), /pre_tokenizer\[0\]\.behavior "Sideways" is not one of/);
  refuses(broken((j) => (j['pre_tokenizer'].pretokenizers[0].pattern = {})), /pre_tokenizer\[0\]\.pattern must be/);
  refuses(broken((j) => (j['post_processor'] = { type: 'Mystery' })), /cannot be loaded: Unknown PostProcessor type: Mystery/);
  refuses(
    broken((j) => (j['post_processor'] = { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<s>', type_id: 0 } }], pair: [], special_tokens: {} })),
    /post_processor\.single\[0\] uses special token "<s>", which special_tokens does not define/,
  );
});

test('WordPiece and Unigram models are checked too', () => {
  const wp = wordPieceJson(['a']) as Json;
  refuses(JSON.stringify({ ...wp, model: { ...wp['model'], unk_token: '[NOPE]' } }), /model\.unk_token "\[NOPE\]" is not in the vocab/);
  const unigram = { ...wp, model: { type: 'Unigram', unk_id: 5, vocab: [['a', -1]] } };
  refuses(JSON.stringify(unigram), /model\.unk_id 5 is outside the 1-entry vocab/);
});

test('a missing tokenizer.json, a broken tokenizer_config.json and a missing pad token are named', () => {
  const empty = join(root, 'empty');
  mkdirSync(empty);
  assert.throws(() => LontarTokenizer.load(empty, { family: 'qwen2' }), /tokenizer\.json: missing \(Lontar needs the fast-tokenizer file tokenizer\.json\)/);
  assert.throws(() => load(JSON.stringify(bpe), '{"pad_token": '), /tokenizer_config\.json: not valid JSON/);
  assert.throws(() => load(JSON.stringify(bpe), null), /no pad token \(set pad_token_id in config\.json or pad_token in tokenizer_config\.json\)/);
  assert.throws(() => LontarTokenizer.fromObjects(bpe, {}, {}), /the model family is needed/);
});
