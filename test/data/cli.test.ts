// `lontar data import|list|pools`: the report on stdout (text or JSON), exit code 1 and nothing
// written when data is rejected, and the real `bin/lontar.mjs` end to end once.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { finished, REPO, tempDir } from '../store/helpers';
import { lontar } from '../store/cli-helpers';
import { csv, HEADER, nusaxTree, rows, writeTree } from './fixtures';
import { spawn } from 'node:child_process';

test('data import: rejected data exits 1 and writes nothing; --json reports every finding', async (t) => {
  const root = tempDir(t);
  writeTree(root, { 'train.csv': csv([HEADER, ...rows(4), [1, 'dup id', 'positive']]) });
  const ws = join(root, 'ws');
  const text = await lontar('data', 'import', '--workspace', ws, '--language', 'jav', join(root, 'train.csv'));
  assert.equal(text.code, 1);
  assert.match(text.stdout, /ERROR id-duplicate \(1\)\n {2}train.csv:6: id "1" was already used at train.csv:3/);
  assert.match(text.stdout, /rejected: fix the errors above; nothing was written/);
  assert.match(text.stderr, /lontar: data rejected; nothing was written/);
  assert.equal(existsSync(ws), false);

  const json = await lontar('data', 'import', '--workspace', ws, '--language', 'jav', '--json', join(root, 'train.csv'));
  assert.equal(json.code, 1);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.status, 'rejected');
  assert.deepEqual(
    parsed.report.issues.filter((i: { severity: string }) => i.severity === 'error'),
    [{ severity: 'error', code: 'id-duplicate', message: 'id "1" was already used at train.csv:3 (jav, train)', file: 'train.csv', line: 6 }],
  );
});

test('data import, list and pools on a NusaX-shaped folder', async (t) => {
  const root = tempDir(t);
  writeTree(join(root, 'nusax'), nusaxTree(['javanese', 'acehnese'], { train: 30, valid: 6, test: 12 }));
  const ws = join(root, 'ws');
  const imported = await lontar('data', 'import', '--workspace', ws, join(root, 'nusax'));
  assert.equal(imported.code, 0, imported.stdout + imported.stderr);
  assert.match(imported.stdout, /jav\s+train\s+30\s+10\s+10\s+10/);
  assert.match(imported.stdout, /imported as dataset "nusax" \(#1\) into .* \(new workspace\)/);

  const listed = await lontar('data', 'list', '--workspace', ws);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /#1 nusax {2}\(nusax, classification, 96 examples, labels negative\/neutral\/positive\)/);
  assert.match(listed.stdout, /ace\s+train\s+30\s+valid\s+6\s+test\s+12/);

  const pools = await lontar('data', 'pools', '--workspace', ws, '--dataset', 'nusax', '--language', 'jav', '--discovery', '20', '--tuning', '10', '--json');
  assert.equal(pools.code, 0, pools.stderr);
  const p = JSON.parse(pools.stdout);
  assert.deepEqual(p.pools, [
    { pool: 'discovery', labels: { negative: 6, neutral: 7, positive: 7 } },
    { pool: 'tuning', labels: { negative: 4, neutral: 3, positive: 3 } },
  ]);
  const tooBig = await lontar('data', 'pools', '--workspace', ws, '--dataset', 'nusax', '--language', 'jav');
  assert.equal(tooBig.code, 1);
  assert.match(tooBig.stderr, /need 500 training examples; there are 30/);

  const dry = await lontar('data', 'import', '--workspace', ws, '--name', 'again', '--dry-run', '--accept-warnings', join(root, 'nusax'));
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /WARNING dataset-already-imported[\s\S]*dry run: the data would be imported; nothing was written/);
  assert.doesNotMatch((await lontar('data', 'list', '--workspace', ws)).stdout, /again/);
});

test('the lontar binary: exit code and stderr of a rejected import, and LONTAR_WORKSPACE as default', async (t) => {
  const root = tempDir(t);
  writeTree(root, { 'train.csv': 'id,text,label\n1,"never closed,positive\n' });
  const child = spawn(process.execPath, [join(REPO, 'bin', 'lontar.mjs'), 'data', 'import', join(root, 'train.csv')], {
    cwd: REPO,
    env: { ...process.env, LONTAR_WORKSPACE: join(root, 'ws') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r = await finished(child);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /ERROR csv-syntax \(1\)\n {2}train.csv:2: a quoted field starting on this row is never closed/);
  assert.match(r.stderr, /data rejected; nothing was written/);
  assert.equal(existsSync(join(root, 'ws')), false);
});
