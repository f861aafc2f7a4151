// A corpus of malformed dataset files, made here: each must produce a precise report (the kind of
// problem, the file and the line) and write nothing, neither rows nor a dataset nor a workspace.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { importSource, type ImportOptions, type IssueCode } from '../../main/data/index';
import { Workspace } from '../../main/store/index';
import { csv, HEADER, nusaxTree, rows, writeTree, xnliTree } from './fixtures';

interface Case {
  name: string;
  files: Record<string, string | Uint8Array>;
  /** What to import, relative to the case folder. */
  path: string;
  options?: ImportOptions;
  /** Findings that must be in the report: code, and file/line where they matter. */
  expect: { code: IssueCode; file?: string; line?: number; message?: RegExp }[];
}

const good = (n = 6) => csv([HEADER, ...rows(n)]);
const utf8 = (s: string) => Buffer.from(s, 'utf8');

const ERROR_CASES: Case[] = [
  { name: 'an empty file', files: { 'train.csv': '' }, path: 'train.csv', expect: [{ code: 'file-empty', file: 'train.csv' }] },
  { name: 'a header without rows', files: { 'train.csv': 'id,text,label\n' }, path: 'train.csv', expect: [{ code: 'file-empty', line: 1 }] },
  {
    name: 'UTF-16 text',
    files: { 'train.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good(), 'utf16le')]) },
    path: 'train.csv',
    expect: [{ code: 'encoding-utf16', message: /UTF-16/ }],
  },
  {
    name: 'Latin-1 bytes mixed into UTF-8',
    files: { 'train.csv': Buffer.concat([utf8('id,text,label\n1,kopi enak ☕,positive\n2,caf'), Buffer.from([0xe9]), utf8(' mahal,negative\n')]) },
    path: 'train.csv',
    expect: [{ code: 'encoding-invalid-utf8', line: 3, message: /mixes UTF-8 with another encoding/ }],
  },
  {
    name: 'NUL bytes (binary or BOM-less UTF-16)',
    files: { 'train.csv': Buffer.concat([utf8('id,text,label\n1,a'), Buffer.from([0]), utf8(',positive\n')]) },
    path: 'train.csv',
    expect: [{ code: 'encoding-nul', line: 2 }],
  },
  {
    name: 'a quote that is never closed',
    files: { 'train.csv': 'id,text,label\n1,fine,positive\n2,"runaway,negative\n3,lost,positive\n' },
    path: 'train.csv',
    expect: [{ code: 'csv-syntax', line: 3, message: /never closed/ }],
  },
  {
    name: 'a stray quote inside an unquoted field',
    files: { 'train.csv': 'id,text,label\n1,fine,positive\n2,he said "no",negative\n' },
    path: 'train.csv',
    expect: [{ code: 'csv-syntax', line: 3, message: /double quote inside an unquoted field/ }],
  },
  {
    name: 'a row with an extra field',
    files: { 'train.csv': 'id,text,label\n1,fine,positive\n2,bad, unquoted comma,negative\n3,ok,negative\n' },
    path: 'train.csv',
    expect: [{ code: 'row-field-count', line: 3, message: /4 fields but the header has 3/ }],
  },
  {
    name: 'no label column',
    files: { 'train.csv': 'id,text,sentiment_score\n1,a,0.5\n' },
    path: 'train.csv',
    expect: [{ code: 'header-missing-column', line: 1, message: /no label column/ }],
  },
  {
    name: 'a mapping that names a missing column',
    files: { 'train.csv': good() },
    path: 'train.csv',
    options: { mapping: { text: 'sentence' } },
    expect: [{ code: 'header-missing-column', message: /"sentence" \(given for text\)/ }],
  },
  { name: 'a duplicated column name', files: { 'train.csv': 'id,text,text,label\n1,a,b,positive\n' }, path: 'train.csv', expect: [{ code: 'header-duplicate-column', line: 1 }] },
  {
    name: 'an empty text',
    files: { 'train.csv': csv([HEADER, ...rows(4), [99, '', 'negative']]) },
    path: 'train.csv',
    expect: [{ code: 'text-empty', line: 6 }],
  },
  {
    name: 'a text of spaces only',
    files: { 'train.csv': csv([HEADER, [1, '   ', 'positive'], ...rows(4, undefined, 'r', 2)]) },
    path: 'train.csv',
    expect: [{ code: 'text-empty', line: 2 }],
  },
  { name: 'an empty label', files: { 'train.csv': csv([HEADER, ...rows(4), [99, 'tanpa label', '']]) }, path: 'train.csv', expect: [{ code: 'label-empty', line: 6 }] },
  {
    name: 'a label outside the declared set',
    files: { 'train.csv': csv([HEADER, ...rows(4), [99, 'salah ketik', 'positiv']]) },
    path: 'train.csv',
    options: { labels: ['negative', 'positive'] },
    expect: [{ code: 'label-unknown', line: 6, message: /"positiv" is not one of negative, positive/ }],
  },
  {
    name: 'a test label never seen in training',
    files: { 'data.csv': csv([['text', 'label', 'split'], ['a', 'negative', 'train'], ['b', 'positive', 'train'], ['c', 'positive', 'test'], ['d', 'mixed', 'test']]) },
    path: 'data.csv',
    expect: [{ code: 'label-unknown', line: 5, message: /"mixed" is not one of negative, positive \(the labels of the training split\)/ }],
  },
  { name: 'a single label', files: { 'train.csv': csv([HEADER, ...rows(6, ['positive'])]) }, path: 'train.csv', expect: [{ code: 'labels-too-few' }] },
  {
    name: 'a duplicated id',
    files: { 'train.csv': csv([HEADER, ...rows(4), [2, 'teks lain', 'positive']]) },
    path: 'train.csv',
    expect: [{ code: 'id-duplicate', line: 6, message: /id "2" was already used at train.csv:4/ }],
  },
  { name: 'an empty id', files: { 'train.csv': csv([HEADER, ...rows(3), ['', 'tanpa id', 'positive']]) }, path: 'train.csv', expect: [{ code: 'id-empty', line: 5 }] },
  {
    name: 'an unknown split name',
    files: { 'data.csv': csv([['text', 'label', 'split'], ['a', 'positive', 'train'], ['b', 'negative', 'holdout']]) },
    path: 'data.csv',
    expect: [{ code: 'split-invalid', line: 3, message: /"holdout"/ }],
  },
  { name: 'no split anywhere', files: { 'data.csv': good() }, path: 'data.csv', expect: [{ code: 'split-missing', file: 'data.csv' }] },
  {
    name: 'an overlong row',
    files: { 'train.csv': csv([HEADER, ...rows(4), [99, 'panjang '.repeat(3000), 'positive']]) },
    path: 'train.csv',
    expect: [{ code: 'text-overlong', line: 6, message: /24000 characters/ }],
  },
  {
    name: 'JSONL with a broken line',
    files: { 'train.jsonl': '{"text": "a", "label": "positive"}\n{"text": "b", "label": \n{"text": "c", "label": "negative"}\n' },
    path: 'train.jsonl',
    expect: [{ code: 'jsonl-syntax', line: 2 }],
  },
  {
    name: 'JSONL with an array instead of an object',
    files: { 'train.jsonl': '{"text": "a", "label": "positive"}\n["b", "negative"]\n' },
    path: 'train.jsonl',
    expect: [{ code: 'jsonl-not-object', line: 2, message: /an array/ }],
  },
  {
    name: 'JSONL with a number as text',
    files: { 'train.jsonl': '{"text": "a", "label": "positive"}\n{"text": 42, "label": "negative"}\n{"text": "c", "label": "negative"}\n' },
    path: 'train.jsonl',
    expect: [{ code: 'field-type', line: 2, message: /text must be a string, found number/ }],
  },
  { name: 'an unknown file type', files: { 'train.txt': good() }, path: 'train.txt', expect: [{ code: 'layout-unrecognised', message: /\.csv, \.tsv or \.jsonl/ }] },
  { name: 'a folder of unrelated files', files: { 'notes/readme.md': '# hi' }, path: 'notes', expect: [{ code: 'layout-unrecognised' }] },
  { name: 'a path that does not exist', files: {}, path: 'nowhere.csv', expect: [{ code: 'file-unreadable', message: /ENOENT/ }] },
  {
    name: 'a NusaX language folder without valid.csv',
    files: Object.fromEntries(Object.entries(nusaxTree(['javanese', 'sundanese'])).filter(([k]) => k !== 'sundanese/valid.csv')),
    path: '.',
    expect: [{ code: 'layout-missing-file', file: 'sundanese/valid.csv' }],
  },
  {
    name: 'NusaX with a made-up label',
    files: { ...nusaxTree(['javanese']), 'javanese/test.csv': csv([HEADER, [40, 'apik', 'positive'], [41, 'ala', 'negatif']]) },
    path: '.',
    expect: [{ code: 'label-unknown', file: 'javanese/test.csv', line: 3, message: /NusaX label set/ }],
  },
  {
    name: 'XNLI without its test label file',
    files: Object.fromEntries(Object.entries(xnliTree(['en'])).filter(([k]) => k !== 'test-genre-labels.tsv')),
    path: '.',
    options: { xnliSizes: { train: 12, valid: 6, test: 6 } },
    expect: [{ code: 'label-file', file: 'test-genre-labels.tsv', message: /carry no labels/ }],
  },
  {
    name: 'XNLI test file one row short of its labels',
    files: { ...xnliTree(['en', 'th']), 'test-th.tsv': xnliTree(['th'])['test-th.tsv']!.split('\r\n').slice(1).join('\r\n') },
    path: '.',
    options: { xnliSizes: { train: 12, valid: 6, test: 6 } },
    expect: [{ code: 'label-file-mismatch', file: 'test-th.tsv', message: /23 rows but the label file has 24/ }],
  },
  {
    name: 'XNLI dev labels that disagree with the label file',
    files: { ...xnliTree(['en']), 'dev-en.tsv': xnliTree(['en'])['dev-en.tsv']!.replace('hypothesis 4\tneutral', 'hypothesis 4\tcontradiction') },
    path: '.',
    options: { xnliSizes: { train: 12, valid: 6, test: 6 } },
    expect: [{ code: 'label-file-mismatch', file: 'dev-en.tsv', line: 5, message: /"contradiction" disagrees .* \("neutral"\) for row 4/ }],
  },
];

const WARNING_CASES: Case[] = [
  { name: 'a UTF-8 byte-order mark', files: { 'train.csv': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(good())]) }, path: 'train.csv', expect: [{ code: 'encoding-bom', line: 1 }] },
  {
    name: 'the same text twice in train',
    files: { 'train.csv': csv([HEADER, ...rows(4), [9, 'row kalimat nomor 1', 'positive']]) },
    path: 'train.csv',
    expect: [{ code: 'text-duplicate', line: 6, message: /first at train.csv:3/ }],
  },
  {
    name: 'a training text that is also a test text',
    files: { 'data.csv': csv([['text', 'label', 'split'], ['sama persis', 'positive', 'train'], ['lain', 'negative', 'train'], ['sama  persis ', 'positive', 'test'], ['x', 'negative', 'test']]) },
    path: 'data.csv',
    expect: [{ code: 'text-overlap', line: 4, message: /in train \(data.csv:2\) and test/ }],
  },
  {
    name: 'one text with two labels',
    files: { 'train.csv': csv([HEADER, ...rows(4), [9, 'row kalimat nomor 2', 'positive']]) },
    path: 'train.csv',
    expect: [{ code: 'text-conflicting-labels', line: 6, message: /label "negative", here "positive"/ }],
  },
  {
    name: 'a heavily imbalanced split',
    files: { 'train.csv': csv([HEADER, ...rows(20, ['positive'], 'p'), ...rows(4, ['negative'], 'n', 100)]) },
    path: 'train.csv',
    expect: [{ code: 'label-imbalance', message: /ratio 5\.0 > 3/ }],
  },
  {
    name: 'a label missing from a large split',
    files: { 'train.csv': good(30), 'test.csv': csv([HEADER, ...rows(24, ['positive'], 't', 100)]) },
    path: 'test.csv',
    options: { labels: ['negative', 'positive'] },
    expect: [{ code: 'label-missing-in-split', message: /test \(24 rows\) has no "negative"/ }],
  },
  { name: 'a control character', files: { 'train.csv': csv([HEADER, ...rows(4), [9, 'bel\u0007 here', 'positive']]) }, path: 'train.csv', expect: [{ code: 'text-control-chars', line: 6, message: /U\+0007/ }] },
  { name: 'a replacement character', files: { 'train.csv': csv([HEADER, ...rows(4), [9, 'caf\uFFFD', 'positive']]) }, path: 'train.csv', expect: [{ code: 'text-replacement-char', line: 6 }] },
  { name: 'mojibake from double decoding', files: { 'train.csv': csv([HEADER, ...rows(4), [9, 'cafÃ© enak', 'positive']]) }, path: 'train.csv', expect: [{ code: 'text-mojibake', line: 6, message: /"Ã©"/ }] },
  { name: 'a very long text', files: { 'train.csv': csv([HEADER, ...rows(4), [9, 'x'.repeat(2500), 'positive']]) }, path: 'train.csv', expect: [{ code: 'text-long', line: 6 }] },
  { name: 'labels with spaces around them', files: { 'train.csv': csv([HEADER, ...rows(4), [9, 'spasi', ' positive ']]) }, path: 'train.csv', expect: [{ code: 'label-whitespace', line: 6 }] },
  { name: 'a label that occurs once (typo?)', files: { 'train.csv': csv([HEADER, ...rows(60), [99, 'typo', 'postive']]) }, path: 'train.csv', expect: [{ code: 'label-rare', line: 62 }] },
  { name: 'rows without a language', files: { 'train.csv': good() }, path: 'train.csv', options: { language: undefined }, expect: [{ code: 'language-missing', message: /6 row\(s\)/ }] },
];

let root: string;
let wsDir: string;
let baseline: { datasets: number; examples: number };

before(() => {
  root = mkdtempSync(join(tmpdir(), 'lontar-malformed-'));
  wsDir = join(root, 'ws');
  writeTree(join(root, 'seed'), { 'train.csv': good(10) });
  const seeded = importSource(wsDir, join(root, 'seed', 'train.csv'), { language: 'jav' });
  assert.equal(seeded.status, 'imported');
  baseline = counts();
});
after(() => rmSync(root, { recursive: true, force: true }));

function counts(): { datasets: number; examples: number } {
  const ws = Workspace.open(wsDir, { readonly: true });
  try {
    return { datasets: ws.datasets.list().length, examples: ws.db.prepare('SELECT count(*) AS n FROM examples').pluck().get() as number };
  } finally {
    ws.close();
  }
}

function runCase(c: Case, index: number, options: ImportOptions & { acceptWarnings?: boolean } = {}) {
  const dir = join(root, `case-${index}`);
  writeTree(dir, c.files);
  return importSource(wsDir, join(dir, c.path), { language: 'jav', ...c.options, ...options });
}

function assertFindings(c: Case, report: ReturnType<typeof importSource>['report']) {
  for (const want of c.expect) {
    const found = report.issues.find(
      (i) => i.code === want.code && (want.file === undefined || i.file === want.file) && (want.line === undefined || i.line === want.line) && (!want.message || want.message.test(i.message)),
    );
    assert.ok(found, `expected ${JSON.stringify({ ...want, message: want.message?.source })}; report: ${JSON.stringify(report.issues, null, 1)}`);
  }
}

test('the corpus covers at least 20 kinds of error and 10 kinds of warning', () => {
  assert.ok(new Set(ERROR_CASES.flatMap((c) => c.expect.map((e) => e.code))).size >= 20);
  assert.ok(new Set(WARNING_CASES.flatMap((c) => c.expect.map((e) => e.code))).size >= 10);
});

ERROR_CASES.forEach((c, i) => {
  test(`rejected, nothing written: ${c.name}`, () => {
    const outcome = runCase(c, i, { acceptWarnings: true });
    assert.equal(outcome.status, 'rejected');
    assert.ok(outcome.report.errors > 0);
    assertFindings(c, outcome.report);
    for (const want of c.expect) assert.equal(outcome.report.issues.find((x) => x.code === want.code)?.severity, 'error', want.code);
    assert.deepEqual(counts(), baseline);
  });
});

WARNING_CASES.forEach((c, i) => {
  test(`held until accepted: ${c.name}`, () => {
    const held = runCase(c, 100 + i);
    assert.equal(held.status, 'rejected');
    assert.equal(held.report.errors, 0, JSON.stringify(held.report.issues));
    assertFindings(c, held.report);
    for (const want of c.expect) assert.equal(held.report.issues.find((x) => x.code === want.code)?.severity, 'warning', want.code);
    assert.deepEqual(counts(), baseline);
  });
});

test('accepted warnings import; the BOM is gone from the first column name', () => {
  const c = WARNING_CASES[0]!;
  const outcome = runCase(c, 200, { acceptWarnings: true, name: 'with-bom' });
  assert.equal(outcome.status, 'imported');
  const ws = Workspace.open(wsDir, { readonly: true });
  try {
    const ds = ws.datasets.byName('with-bom')!;
    const ex = ws.examples.list(ds.id);
    assert.equal(ex.length, 6);
    assert.equal(ex[0]!.sourceId, '0', 'the id column was found despite the BOM');
  } finally {
    ws.close();
  }
  baseline = counts();
});

test('a rejected import into a folder that is not yet a workspace does not create it', () => {
  const target = join(root, 'never-created');
  writeTree(join(root, 'bad'), { 'train.csv': 'id,text,label\n1,"open\n' });
  const outcome = importSource(target, join(root, 'bad', 'train.csv'), { acceptWarnings: true });
  assert.equal(outcome.status, 'rejected');
  assert.equal(existsSync(target), false);
});

test('an explicit name already taken is an error; a re-import of the same files is a warning', () => {
  const seed = join(root, 'seed', 'train.csv');
  const again = importSource(wsDir, seed, { language: 'jav' });
  assert.equal(again.status, 'rejected');
  assert.ok(again.report.issues.some((i) => i.code === 'dataset-already-imported' && i.severity === 'warning'));
  assert.equal(again.report.name, 'train-2', 'the suggested name got a suffix');
  const named = importSource(wsDir, seed, { language: 'jav', name: 'train', acceptWarnings: true });
  assert.equal(named.status, 'rejected');
  assert.ok(named.report.issues.some((i) => i.code === 'dataset-name-taken' && i.severity === 'error'));
  assert.deepEqual(counts(), baseline);
});

test('a device is refused unread, never read forever (/dev/zero)', { skip: existsSync('/dev/zero') ? false : 'no /dev/zero here' }, () => {
  const outcome = importSource(wsDir, '/dev/zero', { format: 'csv', language: 'jav', split: 'train' });
  assert.equal(outcome.status, 'rejected');
  assert.deepEqual(counts(), baseline);
  assert.ok(outcome.report.issues.some((i) => i.code === 'file-unreadable' && /not a regular file/.test(i.message)));
});
