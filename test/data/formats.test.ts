// The accepted file formats and the column mapping: CSV with RFC 4180 quoting, TSV with and
// without quotes, JSONL, headerless files mapped by column number, NLI pairs, and where split and
// language come from.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { prepareImport } from '../../main/data/index';
import { splitOfFileName } from '../../main/data/read-file';
import { tempDir } from '../store/helpers';
import { writeTree } from './fixtures';

function read(t: Parameters<typeof tempDir>[0], name: string, content: string, options: Parameters<typeof prepareImport>[1] = {}) {
  const dir = tempDir(t);
  writeTree(dir, { [name]: content });
  return prepareImport(join(dir, name), { language: 'jav', ...options });
}

test('CSV: quoted commas, doubled quotes, quoted newlines and CRLF; lines point at where rows start', (t) => {
  const { read: r, report } = read(t, 'train.csv', 'id,text,label\r\n1,"a, b",positive\r\n2,"say ""hi""",negative\r\n3,"two\nlines",positive\r\n\r\n4,plain,negative\r\n');
  assert.equal(report.errors, 0, JSON.stringify(report.issues));
  assert.deepEqual(
    r.examples.map((e) => [e.sourceId, e.text, e.sourceLine]),
    [
      ['1', 'a, b', 2],
      ['2', 'say "hi"', 3],
      ['3', 'two\nlines', 4],
      ['4', 'plain', 7],
    ],
  );
  assert.ok(r.examples.every((e) => e.split === 'train' && e.language === 'jav'));
});

test('TSV: quotes honoured where a field starts with one, literal elsewhere, or off entirely', (t) => {
  const content = 'text\tlabel\n"quoted\ttab"\tpositive\nhe said "no"\tnegative\n';
  const withQuotes = read(t, 'valid.tsv', content);
  assert.equal(withQuotes.report.errors, 0, JSON.stringify(withQuotes.report.issues));
  assert.deepEqual(withQuotes.read.examples.map((e) => [e.text, e.split]), [
    ['quoted\ttab', 'valid'],
    ['he said "no"', 'valid'],
  ]);
  const literal = read(t, 'valid.tsv', 'text\tlabel\n"x"\tpositive\ny\tnegative\n', { quotes: false });
  assert.equal(literal.read.examples[0]!.text, '"x"');
});

test('JSONL: keys are columns, numbers as labels and ids become strings, blank lines are skipped', (t) => {
  const { read: r, report } = read(t, 'data.jsonl', '{"id": 7, "sentence": "apik", "label": 1, "split": "dev"}\n\n{"id": 8, "sentence": "ala", "label": 0, "split": "test", "extra": true}\n', {
    mapping: { text: 'sentence' },
  });
  assert.equal(report.errors, 0, JSON.stringify(report.issues));
  assert.deepEqual(r.examples.map((e) => [e.sourceId, e.text, e.label, e.split, e.sourceLine]), [
    ['7', 'apik', '1', 'valid', 1],
    ['8', 'ala', '0', 'test', 3],
  ]);
  assert.ok(report.issues.some((i) => i.code === 'header-unused-columns' && /"extra"/.test(i.message)));
});

test('headerless files are mapped by column number; NLI pairs come from premise and hypothesis', (t) => {
  const { read: r, report } = read(t, 'pairs-test.tsv', 'p1\th1\tentailment\np2\th2\tneutral\n', {
    header: false,
    mapping: { premise: '1', hypothesis: '2', label: '3' },
  });
  assert.equal(report.errors, 0, JSON.stringify(report.issues));
  assert.equal(report.task, 'nli');
  assert.deepEqual(r.examples.map((e) => [e.premise, e.hypothesis, e.text, e.split, e.sourceId]), [
    ['p1', 'h1', null, 'test', 'line-1'],
    ['p2', 'h2', null, 'test', 'line-2'],
  ]);
  const auto = read(t, 'train.csv', 'sentence1,sentence2,gold_label\na,b,neutral\nc,d,entailment\n');
  assert.equal(auto.report.task, 'nli', 'common NLI column names are recognised');
});

test('split and language: a column wins, then the option, then the file name', (t) => {
  const { read: r } = read(t, 'train.csv', 'text,label,split,lang\na,positive,test,sun\nb,negative,,\n', { mapping: { split: 'split' }, split: 'valid' });
  assert.deepEqual(r.examples.map((e) => [e.split, e.language]), [['test', 'sun']]);
  const byOption = read(t, 'whatever.csv', 'text,label\na,positive\nb,negative\n', { split: 'valid' });
  assert.deepEqual(byOption.read.examples.map((e) => e.split), ['valid', 'valid']);
  assert.equal(splitOfFileName('/x/nusax_jav_train.csv'), 'train');
  assert.equal(splitOfFileName('/x/dev-th.tsv'), 'valid');
  assert.equal(splitOfFileName('/x/validation.jsonl'), 'valid');
  assert.equal(splitOfFileName('/x/contest.csv'), undefined, 'only whole words count');
});
