// The pretraining corpus reads train.csv and valid.csv only: test.csv never enters it (even an
// unreadable test.csv does not matter, because it is never opened), quoted newlines survive, and the
// held-out slice takes whole sentences with all their translations.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holdOutBySentence, readNusaxPretrainingTexts } from '../../main/models/pretraining/nusax-corpus';
import { SHIPPED_NUSAX, writeNusaxFolder } from './fixtures';

const csv = (rows: [number, string, string][]) =>
  `id,text,label\n${rows.map(([id, text, label]) => `${id},"${text.replaceAll('"', '""')}",${label}`).join('\n')}\n`;

test('test.csv never enters the corpus: its texts are absent and a broken test.csv is never opened', () => {
  const root = writeNusaxFolder({
    javanese: {
      train: csv([[1, 'apik banget, "tenan"', 'positive'], [2, 'baris siji\nbaris loro', 'neutral']]),
      valid: csv([[3, 'ora enak', 'negative']]),
      test: csv([[4, 'TEST SENTINEL jav', 'positive']]),
    },
    english: {
      train: csv([[1, 'very good', 'positive'], [2, 'line one\nline two', 'neutral']]),
      valid: csv([[3, 'not tasty', 'negative']]),
      test: 'id,text,label\n4,"unterminated quote and TEST SENTINEL eng\n',
    },
  });
  const corpus = readNusaxPretrainingTexts(root);
  assert.deepEqual(corpus.languages, ['english', 'javanese']);
  assert.deepEqual(corpus.files, ['english/train.csv', 'english/valid.csv', 'javanese/train.csv', 'javanese/valid.csv']);
  assert.equal(corpus.texts.length, 6);
  assert.ok(corpus.texts.every((t) => !t.text.includes('SENTINEL')));
  assert.deepEqual(new Set(corpus.texts.map((t) => t.split)), new Set(['train', 'valid']));
  assert.ok(corpus.texts.some((t) => t.text === 'baris siji\nbaris loro'), 'a quoted newline stays inside its text');
  assert.ok(corpus.texts.some((t) => t.text === 'apik banget, "tenan"'), 'quoted commas and quotes are parsed');
});

test('a language folder without train.csv or valid.csv is an error, not a silent gap', () => {
  const root = writeNusaxFolder({ javanese: { train: csv([[1, 'apik', 'positive']]), test: csv([[2, 'x', 'neutral']]) } });
  assert.throws(() => readNusaxPretrainingTexts(root), /javanese\/valid\.csv is missing/);
});

test('the shipped NusaX copy gives 600 train+valid texts in each of 12 languages, read from train.csv and valid.csv only', () => {
  const corpus = readNusaxPretrainingTexts(SHIPPED_NUSAX);
  assert.equal(corpus.languages.length, 12);
  assert.equal(corpus.texts.length, 12 * 600);
  assert.equal(corpus.files.length, 24);
  assert.ok(corpus.files.every((f) => /\/(train|valid)\.csv$/.test(f)));
});

test('the held-out slice takes whole sentence ids with every translation, deterministically', () => {
  const corpus = readNusaxPretrainingTexts(SHIPPED_NUSAX);
  const split = holdOutBySentence(corpus.texts, 0.05, 7);
  assert.equal(split.heldOutIds.length, 30);
  assert.equal(split.heldOut.length, 30 * 12);
  assert.equal(split.train.length + split.heldOut.length, corpus.texts.length);
  const heldIds = new Set(split.heldOutIds);
  assert.ok(split.train.every((t) => !heldIds.has(t.id)), 'no translation of a held-out sentence is trained on');
  assert.deepEqual(holdOutBySentence(corpus.texts, 0.05, 7).heldOutIds, split.heldOutIds);
  assert.notDeepEqual(holdOutBySentence(corpus.texts, 0.05, 8).heldOutIds, split.heldOutIds);
  assert.throws(() => holdOutBySentence(corpus.texts, 0, 7), /fraction/);
});
