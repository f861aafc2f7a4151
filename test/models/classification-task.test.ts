// The classification task around the graph: prompt templates, fitting long prompts by shortening
// fields (never the template's words), label lists, and the errors for tasks a model cannot do.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { BatchEncoder } from '../../main/models/classification/batch-encoder';
import { fitPrompt, PromptTemplate } from '../../main/models/classification/prompt-template';
import { resolveTask } from '../../main/models/classification/task';
import { loadModel } from '../../main/models/load';
import { LontarTokenizer } from '../../main/models/tokenizer';
import { tempDir } from './fixtures/temp-dir';
import { tinyModel, writeTinyModel } from './fixtures/tiny-models';

const root = tempDir();
const qwen = loadModel(writeTinyModel(join(root, 'qwen'), tinyModel('qwen2'), 'F32'));
const bert = loadModel(writeTinyModel(join(root, 'bert'), tinyModel('bert'), 'F32'));

test('templates: placeholders, escaped braces, and clear errors', () => {
  const t = PromptTemplate.parse('{{json}} {premise} / {hypothesis} → {premise}');
  assert.deepEqual(t.fields, ['premise', 'hypothesis']);
  assert.equal(t.render({ premise: 'a', hypothesis: 'b' }), '{json} a / b → a');
  assert.throws(() => PromptTemplate.parse('{sentence} |'), /unknown placeholder \{sentence\} \(use \{text\}, \{premise\}, \{hypothesis\}/);
  assert.throws(() => PromptTemplate.parse('{text'), /unknown placeholder \{text/);
  assert.throws(() => PromptTemplate.parse('a } b {text}'), /unmatched \} at character 3/);
  assert.throws(() => PromptTemplate.parse('no fields'), /has no placeholder/);
  assert.throws(() => t.render({ premise: 'a' }), /needs \{hypothesis\}, which the example does not have/);
});

test('a long prompt loses tokens from its field, keeps the template suffix, and fits exactly', () => {
  const template = PromptTemplate.parse('{text} | sentiment:');
  const text = Array.from({ length: 30 }, () => 'the food was bad').join(' ');
  const suffix = qwen.tokenizer.encodeText(' | sentiment:');
  const fitted = fitPrompt(qwen.tokenizer, template, { text }, 24);
  assert.equal(fitted.truncated, true);
  assert.ok(fitted.ids.length <= 24 && fitted.ids.length >= 22, `${fitted.ids.length} tokens`);
  assert.deepEqual(fitted.ids.slice(-suffix.length), suffix);
  assert.ok(text.startsWith(qwen.tokenizer.decode(fitted.ids.slice(0, -suffix.length))), 'the text is cut at its end');
  const short = fitPrompt(qwen.tokenizer, template, { text: 'bagus' }, 24);
  assert.equal(short.truncated, false);
  assert.deepEqual(short.ids, qwen.tokenizer.encodeText('bagus | sentiment:'));
  assert.throws(() => fitPrompt(qwen.tokenizer, PromptTemplate.parse('{text} the food was bad and the service was slow'), { text: 'x' }, 6), /alone needs \d+ tokens, more than the limit of 6/);
});

test('tasks: label words with name=word, encoder heads with their own labels, and what each refuses', () => {
  const words = resolveTask(qwen, { labels: ['neg=negative', 'pos=positive'] });
  assert.equal(words.kind, 'label-words');
  assert.deepEqual(words.labels.map((l) => [l.name, l.word, l.tokenId]), [
    ['neg', 'negative', qwen.tokenizer.encodeText(' negative')[0]],
    ['pos', 'positive', qwen.tokenizer.encodeText(' positive')[0]],
  ]);
  const head = resolveTask(bert);
  assert.deepEqual([head.kind, head.labels.map((l) => l.name)], ['classifier', ['negative', 'neutral', 'positive']]);
  assert.deepEqual(resolveTask(bert, { labels: ['neg', 'neu', 'pos'] }).labels.map((l) => l.name), ['neg', 'neu', 'pos']);
  assert.throws(() => resolveTask(bert, { labels: ['a', 'b'] }), /2 labels given, but the classifier head has 3 outputs/);
  assert.throws(() => resolveTask(bert, { template: '{text}' }), /encoder: it classifies with its own head/);
  const headless = { ...bert, layout: { ...bert.layout, hasClassifier: false } };
  assert.throws(() => resolveTask(headless), /no sequence-classification head/);

  // A tokenizer that appends EOS after every text puts it where the label should be read.
  const json = JSON.parse(JSON.stringify(tinyModel('qwen2').tokenizer));
  json.post_processor = {
    type: 'TemplateProcessing',
    single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<|endoftext|>', type_id: 0 } }],
    pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [qwen.tokenizer.tokenToId('<|endoftext|>')], tokens: ['<|endoftext|>'] } },
  };
  const eos = LontarTokenizer.fromObjects(json, { pad_token: '<|endoftext|>' }, { config: qwen.config });
  assert.throws(() => resolveTask({ ...qwen, tokenizer: eos }), /ends every text with special token \d+/);
});

test('the batch encoder names an unknown gold label and an example without text', () => {
  const encoder = new BatchEncoder(qwen, resolveTask(qwen));
  assert.throws(() => encoder.encode([{ id: 'a', text: 'bagus', label: 'postive' }]), /label "postive" is not one of the task's labels \(negative, neutral, positive\)/);
  const pairs = new BatchEncoder(bert, resolveTask(bert));
  assert.throws(() => pairs.encode([{ id: 'b', premise: 'x' }]), /example b has neither a text nor a premise and hypothesis/);
  const encoded = pairs.encode([{ id: 'c', premise: 'the cat', hypothesis: 'sat' }]);
  assert.deepEqual(Array.from(encoded.feeds['token_type_ids']!.data, Number).slice(0, 6), [0, 0, 0, 0, 1, 1]);
});
