// The two corpora the paper uses, imported whole: NusaX-Senti (CC BY-SA 4.0, shipped in resources/,
// so this runs on any clone), 12 languages × 500/100/400, and XNLI (CC BY-NC 4.0: tests and
// evaluation only, never shipped; skipped with the reason where no copy exists), sampled
// 500/100/400 with test labels from their file.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importSource, NUSAX_LANGUAGE_CODES, prepareImport } from '../../main/data/index';
import { Workspace } from '../../main/store/index';
import { CORPORA, findCorpora } from '../helpers/corpora';
import { tempDir } from '../store/helpers';
import { nusaxTree, writeTree, xnliTree } from './fixtures';

test('NusaX: all 12 languages import at once with 500/100/400 rows per language', { skip: CORPORA.skipWithoutNusax }, (t) => {
  const dir = join(tempDir(t), 'ws');
  const held = importSource(dir, CORPORA.nusax);
  // NusaX has one exact duplicate (ngaju test rows 15 and 115): a warning the user must accept
  assert.equal(held.status, 'rejected');
  assert.equal(held.report.errors, 0);
  assert.deepEqual(
    held.report.issues.filter((i) => i.severity === 'warning').map((i) => `${i.code} ${i.file}:${i.line}`),
    ['text-duplicate ngaju/test.csv:352'],
  );

  const outcome = importSource(dir, CORPORA.nusax, { acceptWarnings: true });
  assert.equal(outcome.status, 'imported');
  assert.equal(outcome.report.licence, 'CC BY-SA 4.0');
  const ws = Workspace.open(dir, { readonly: true });
  t.after(() => ws.close());
  const ds = ws.datasets.byName('nusax-senti')!;
  assert.deepEqual(ds.labels, ['negative', 'neutral', 'positive']);
  assert.equal(ds.sourceFiles.length, 36);
  assert.equal(ws.examples.count(ds.id), 12_000);
  const languages = ws.examples.languages(ds.id);
  assert.deepEqual(languages, Object.values(NUSAX_LANGUAGE_CODES).sort());
  const perSplit = new Map<string, number>();
  for (const c of ws.datasets.counts(ds.id)) perSplit.set(`${c.language}/${c.split}`, (perSplit.get(`${c.language}/${c.split}`) ?? 0) + c.count);
  for (const lang of languages) {
    assert.deepEqual([perSplit.get(`${lang}/train`), perSplit.get(`${lang}/valid`), perSplit.get(`${lang}/test`)], [500, 100, 400], lang);
  }
  // texts with quoted newlines survive whole (49 of them, mostly Toba Batak)
  const multiline = ws.db.prepare("SELECT count(*) FROM examples WHERE text LIKE '%' || char(10) || '%'").pluck().get();
  assert.equal(multiline, 49);
});

test('XNLI: sampled 500/100/400 per language, the same rows in every language, test labels from their file', { skip: CORPORA.skipWithoutXnli }, () => {
  const prepared = prepareImport(CORPORA.xnli, { languages: ['en', 'th'], seed: 0 });
  const { report, read } = prepared;
  assert.equal(report.errors, 0, JSON.stringify(report.issues.slice(0, 5)));
  assert.equal(report.task, 'nli');
  assert.equal(report.licence, 'CC BY-NC 4.0');
  assert.deepEqual(
    report.counts.map((c) => [c.language, c.split, c.total]),
    [
      ['en', 'train', 500],
      ['en', 'valid', 100],
      ['en', 'test', 400],
      ['th', 'train', 500],
      ['th', 'valid', 100],
      ['th', 'test', 400],
    ],
  );
  for (const c of report.counts) assert.ok(Math.max(...Object.values(c.labels)) - Math.min(...Object.values(c.labels)) <= 1, 'label-balanced');
  const ids = (lang: string, split: string) => read.examples.filter((e) => e.language === lang && e.split === split).map((e) => e.sourceId);
  assert.deepEqual(ids('en', 'test'), ids('th', 'test'), 'parallel: same rows in every language');
  assert.ok(ids('en', 'train').every((id) => id.startsWith('dev-')) && ids('en', 'test').every((id) => id.startsWith('test-')));
  assert.equal(new Set([...ids('en', 'train'), ...ids('en', 'valid')]).size, 600, 'train and valid are disjoint');
  // every test row carries the label of its index in test-genre-labels.tsv
  const gold = readFileSync(join(CORPORA.xnli, 'test-genre-labels.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[2]);
  const tests = read.examples.filter((e) => e.split === 'test');
  for (const e of tests) assert.equal(e.label, gold[Number(e.sourceId.slice('test-'.length))], e.sourceId);
  assert.equal(tests[0]!.sourceLine, Number(tests[0]!.sourceId.slice(5)) + 1, 'headerless: line = index + 1');
  // another seed draws other rows
  const other = prepareImport(CORPORA.xnli, { languages: ['en'], seed: 1 });
  assert.notDeepEqual(other.read.examples.filter((e) => e.split === 'train').map((e) => e.sourceId), ids('en', 'train'));
});

test('without a shared data folder NusaX comes from resources/ and only XNLI skips, saying why', (t) => {
  const none = findCorpora(join(tempDir(t), 'no-shared-data'));
  assert.equal(none.nusax, join(import.meta.dirname, '..', '..', 'resources', 'data', 'nusax-senti'));
  assert.equal(none.skipWithoutNusax, false);
  assert.match(String(none.skipWithoutXnli), /XNLI not found at .*no-shared-data.*not shipped \(CC BY-NC 4\.0\)/);
});

test('the NusaX layout reader on a made-up folder: language codes, splits and a language filter', (t) => {
  const dir = tempDir(t);
  writeTree(dir, { ...nusaxTree(['javanese', 'buginese', 'klingon']), 'notes/readme.txt': 'x' });
  const { report, read } = prepareImport(dir, { languages: ['jav', 'klingon'] });
  assert.equal(report.format, 'nusax');
  assert.equal(report.errors, 0, JSON.stringify(report.issues));
  assert.deepEqual([...new Set(read.examples.map((e) => e.language))], ['jav', 'klingon'], 'codes for known names, folder names otherwise');
  assert.deepEqual(
    report.counts.filter((c) => c.language === 'jav').map((c) => [c.split, c.total]),
    [
      ['train', 12],
      ['valid', 6],
      ['test', 6],
    ],
  );
  assert.ok(report.issues.some((i) => i.code === 'layout-ignored' && /notes/.test(i.message)));
});

test('the XNLI reader on a made-up folder: sizes, seed and CRLF files', (t) => {
  const dir = tempDir(t);
  writeTree(dir, xnliTree(['en', 'vi']));
  const a = prepareImport(dir, { xnliSizes: { train: 12, valid: 6, test: 9 }, seed: 5 });
  const b = prepareImport(dir, { xnliSizes: { train: 12, valid: 6, test: 9 }, seed: 5 });
  assert.equal(a.report.errors, 0, JSON.stringify(a.report.issues));
  assert.deepEqual(a.read.examples, b.read.examples, 'same seed, same sample');
  assert.deepEqual(
    a.report.counts.filter((c) => c.language === 'vi').map((c) => [c.split, c.total, c.labels]),
    [
      ['train', 12, { entailment: 4, neutral: 4, contradiction: 4 }],
      ['valid', 6, { entailment: 2, neutral: 2, contradiction: 2 }],
      ['test', 9, { entailment: 3, neutral: 3, contradiction: 3 }],
    ],
  );
  assert.ok(a.read.examples.every((e) => !e.premise!.includes('\r') && !e.hypothesis!.includes('\r')));
  const tooMany = prepareImport(dir, { xnliSizes: { train: 30, valid: 6, test: 9 } });
  assert.ok(tooMany.report.issues.some((i) => i.code === 'label-file' && /cannot sample 30\+6/.test(i.message)));
});
