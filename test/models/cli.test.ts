// `lontar model inspect | predict | export | patch`: JSON where machines read it, clean one-line
// errors (exit 1, no stack) for broken model folders and label words, and no output left behind when
// a command fails.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lontar } from './fixtures/run-cli';
import { tempDir } from './fixtures/temp-dir';
import { TEXTS, tinyModel, writeTinyModel } from './fixtures/tiny-models';

const root = tempDir();
const qwen = writeTinyModel(join(root, 'qwen'), tinyModel('qwen2'), 'F32');
const bert = writeTinyModel(join(root, 'bert'), tinyModel('bert'), 'F32');
const data = join(root, 'test.csv');
writeFileSync(data, ['id,text,label', ...TEXTS.map((t, i) => `r${i},"${t}",${['negative', 'neutral', 'positive'][i % 3]}`)].join('\n'));
const unlabelled = join(root, 'plain.jsonl');
writeFileSync(unlabelled, TEXTS.map((text) => JSON.stringify({ text })).join('\n'));

/** A copy of a model folder, changed by `edit`. */
function broken(name: string, from: string, edit: (dir: string) => void): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const f of readdirSync(from)) copyFileSync(join(from, f), join(dir, f));
  edit(dir);
  return dir;
}

test('model inspect: sizes, heads, dtype and parameters, as text and JSON', async () => {
  const json = await lontar('model', 'inspect', qwen, '--json');
  assert.equal(json.code, 0, json.stderr);
  const s = JSON.parse(json.stdout);
  assert.deepEqual(
    [s.family, s.kind, s.layers, s.hidden, s.heads, s.kvHeads, s.headDim, s.tiedEmbeddings, s.dtype.stored],
    ['qwen2', 'decoder', 2, 16, 4, 2, 4, true, { F32: 2 + 2 * 12 }],
  );
  assert.equal(s.tokenizer.paddingSide, 'left');
  const text = await lontar('model', 'inspect', bert);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /bert encoder \(BertForSequenceClassification\)\n {2}layers 2, hidden 16, heads 2 \(kv 2\) of 8, FFN 32/);
  assert.match(text.stdout, /classifier head: negative, neutral, positive/);
});

test('predict: one JSON line per example with the label logits; --emit-ids shows the ids fed', async () => {
  const out = join(root, 'pred.jsonl');
  const run = await lontar('predict', '--model', qwen, '--data', data, '--out', out, '--emit-ids', '--batch', '4', '--json');
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.equal(summary.examples, TEXTS.length);
  assert.equal(summary.labelled, TEXTS.length);
  assert.equal(summary.template, '{text} | sentiment:');
  assert.match(run.stderr, /predict: 6\/6/);
  const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.id), TEXTS.map((_, i) => `r${i}`));
  for (const l of lines) {
    const best = Object.entries(l.logits as Record<string, number>).reduce((a, b) => (b[1] > a[1] ? b : a));
    assert.equal(l.prediction, best[0]);
    assert.deepEqual(Object.keys(l.logits), ['negative', 'neutral', 'positive']);
    assert.ok(Array.isArray(l.input_ids) && l.input_ids.length > 3);
  }
  const correct = lines.filter((l) => l.prediction === l.gold).length;
  assert.equal(summary.accuracy, correct / lines.length);

  const plainOut = join(root, 'plain.jsonl.out');
  const plain = await lontar('predict', '--model', bert, '--data', unlabelled, '--out', plainOut);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^predicted 6 examples → /);
  const first = JSON.parse(readFileSync(plainOut, 'utf8').split('\n')[0]!);
  assert.deepEqual(Object.keys(first), ['id', 'prediction', 'logits'], 'no gold, no ids unless asked');
  assert.equal(first.id, 'line-1');
});

test('predict refuses a label word of two tokens, naming it and its pieces, and writes nothing', async () => {
  const out = join(root, 'never.jsonl');
  const run = await lontar('predict', '--model', qwen, '--data', data, '--out', out, '--labels', 'negative,neutral,good=goodness');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^lontar: .*tokenizer\.json: label word "goodness" is \d tokens, not one: " goodness" → \[/);
  assert.doesNotMatch(run.stderr, /\n {4}at /, 'no stack trace');
  assert.equal(existsSync(out), false);
  const template = await lontar('predict', '--model', qwen, '--data', data, '--out', out, '--template', '{sentence} |');
  assert.equal(template.code, 1);
  assert.match(template.stderr, /unknown placeholder \{sentence\}/);
});

test('broken model folders give one clear error each and no output', async () => {
  const truncated = broken('truncated', qwen, (d) => truncateSync(join(d, 'model.safetensors'), 900));
  const missing = broken('missing-config', qwen, (d) => writeFileSync(join(d, 'config.json'), JSON.stringify({ ...tinyModel('qwen2').config, num_hidden_layers: 3 })));
  const badTokenizer = broken('bad-tokenizer', qwen, (d) => writeFileSync(join(d, 'tokenizer.json'), '{"model": {"type": "BPE"'));
  const wrongShape = broken('wrong-shape', qwen, (d) => writeFileSync(join(d, 'config.json'), JSON.stringify({ ...tinyModel('qwen2').config, intermediate_size: 20 })));
  /** Rewrites the first match in the safetensors header (same length, so offsets stay valid). */
  const editHeader = (from: string, to: string) => (d: string) => {
    const bytes = readFileSync(join(d, 'model.safetensors'));
    const at = bytes.indexOf(from);
    assert.ok(at > 0 && from.length === to.length);
    bytes.write(to, at);
    writeFileSync(join(d, 'model.safetensors'), bytes);
  };
  const lying = broken('lying-header', qwen, editHeader('"shape":[16]', '"shape":[18]'));
  const unknownDtype = broken('unknown-dtype', qwen, editHeader('"dtype":"F32"', '"dtype":"Q32"'));
  const hf = (dir: string, out: string) => ['export', '--model', dir, '--format', 'hf', '--out', join(root, out)];
  const cases: [string[], RegExp][] = [
    [['model', 'inspect', truncated], /model\.safetensors: .*(past the end|truncated)/],
    [hf(missing, 'x1'), /missing \d+ tensor\(s\): model\.layers\.2\./],
    [['predict', '--model', badTokenizer, '--data', data, '--out', join(root, 'x2.jsonl')], /tokenizer\.json: not valid JSON/],
    [hf(wrongShape, 'x3'), /mlp\.gate_proj\.weight: expected \[20, 16\], file has \[24, 16\]/],
    [hf(lying, 'x4'), /shape \[18\].*(disagree|does not match|bytes)/],
    [hf(unknownDtype, 'x5'), /dtype "?Q32"?/],
    [['competence', '--model', join(root, 'no-model'), '--data', 'resources/data/nusax-senti', '--source', 'ind', '--workspace', join(root, 'ws')], /no-model: cannot be read \(a model folder needs a config\.json\)/],
  ];
  for (const [args, message] of cases) {
    const run = await lontar(...args);
    assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /\n {4}at /);
  }
  for (const out of ['x1', 'x2.jsonl', 'x3', 'x4', 'x5']) assert.equal(existsSync(join(root, out)), false, `${out} not written`);
});

test('export hf with a card file, export onnx, and patch create/apply through the CLI', async () => {
  const cardFile = join(root, 'card.json');
  writeFileSync(cardFile, JSON.stringify({ baseModel: 'tiny-qwen', method: 'CT-SFT', metrics: { accuracy: 0.5 } }));
  const hf = await lontar('export', '--model', qwen, '--format', 'hf', '--out', join(root, 'cli-hf'), '--card', cardFile, '--json');
  assert.equal(hf.code, 0, hf.stderr);
  assert.deepEqual(JSON.parse(hf.stdout).files.slice(0, 2), ['config.json', 'model.safetensors']);
  assert.match(readFileSync(join(root, 'cli-hf', 'README.md'), 'utf8'), /base_model: "tiny-qwen"/);
  writeFileSync(cardFile, JSON.stringify({ baseModel: 'tiny-qwen', metrix: { accuracy: 0.5 } }));
  const badCard = await lontar('export', '--model', qwen, '--format', 'hf', '--out', join(root, 'cli-hf2'), '--card', cardFile);
  assert.equal(badCard.code, 2);
  assert.match(badCard.stderr, /--card .*card\.json: \(root\): Unrecognized key: "metrix"/);
  assert.equal(existsSync(join(root, 'cli-hf2')), false);

  const onnx = await lontar('export', '--model', qwen, '--format', 'onnx', '--out', join(root, 'cli-onnx'), '--seq', '24');
  assert.equal(onnx.code, 0, onnx.stderr);
  assert.match(onnx.stdout, /inputs: input_ids int64\[1, 24\], attention_mask int64\[1, 24\]\n {2}outputs: logits float32\[1, 3\]/);

  const patchFile = join(root, 'cli.patch.safetensors');
  const created = await lontar('patch', 'create', '--base', qwen, '--adapted', join(root, 'cli-hf'), '--out', patchFile, '--json');
  assert.equal(created.code, 0, created.stderr);
  const summary = JSON.parse(created.stdout);
  assert.equal(summary.entries, 0, 'same weights: nothing but the changed files');
  assert.deepEqual(summary.files.sort(), ['README.md', 'config.json']);
  const applied = await lontar('patch', 'apply', '--base', qwen, '--patch', patchFile, '--out', join(root, 'cli-applied'));
  assert.equal(applied.code, 0, applied.stderr);
  assert.ok(readFileSync(join(root, 'cli-applied', 'README.md')).equals(readFileSync(join(root, 'cli-hf', 'README.md'))));
  const wrongBase = await lontar('patch', 'apply', '--base', bert, '--patch', patchFile, '--out', join(root, 'cli-wrong'));
  assert.equal(wrongBase.code, 1);
  assert.match(wrongBase.stderr, /was made for a base with content hash/);
  assert.equal(existsSync(join(root, 'cli-wrong')), false);
});
