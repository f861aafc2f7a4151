// `lontar discover` progress in a log or a pipe: plain lines, one as each stage starts, at each
// further 10% and at its end, never a carriage return; on a terminal one rewritten line.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { stageReporter } from '../../main/cli/progress';
import { CORPORA } from '../helpers/corpora';
import { lontar } from '../models/fixtures/run-cli';
import { tempDir } from '../models/fixtures/temp-dir';
import { tinyModel, writeTinyModel } from '../models/fixtures/tiny-models';

function capture(isTTY: boolean) {
  const lines: string[] = [];
  return { stream: { isTTY, write: (s: string) => lines.push(s) }, lines };
}

test('off a terminal: a line per stage and per 10%, each ending in a newline', () => {
  const { stream, lines } = capture(false);
  const progress = stageReporter(stream);
  for (let i = 1; i <= 250; i++) progress.report('predicting the pool', i, 250);
  for (let i = 1; i <= 3; i++) progress.report('scoring heads (depth 0)', i, 3);
  progress.end();
  assert.deepEqual(lines.slice(0, 3), ['predicting the pool: 1/250 (0%)\n', 'predicting the pool: 25/250 (10%)\n', 'predicting the pool: 50/250 (20%)\n']);
  assert.equal(lines.filter((l) => l.startsWith('predicting')).length, 11, 'the start and ten tenths');
  assert.deepEqual(lines.slice(11), ['scoring heads (depth 0): 1/3 (33%)\n', 'scoring heads (depth 0): 2/3 (67%)\n', 'scoring heads (depth 0): 3/3 (100%)\n']);
  assert.ok(lines.every((l) => !l.includes('\r') && l.endsWith('\n')));
});

test('on a terminal: one line rewritten in place, ended once', () => {
  const { stream, lines } = capture(true);
  const progress = stageReporter(stream);
  progress.report('predicting the pool', 1, 2);
  progress.report('predicting the pool', 2, 2);
  progress.end();
  assert.deepEqual(lines, ['\rpredicting the pool: 1/2\x1b[K', '\rpredicting the pool: 2/2\x1b[K', '\n']);
});

test('lontar discover into a pipe prints readable progress lines', { skip: CORPORA.skipWithoutNusax }, async () => {
  const dir = tempDir();
  const model = writeTinyModel(join(dir, 'model'), tinyModel('qwen2', 3), 'F32');
  const run = await lontar('discover', '--model', model, '--data', CORPORA.nusax, '--language', 'jav', '--out', join(dir, 'circuit.json'), '--p', '0.25', '--depth', '0', '--mean-size', '6', '--discovery-size', '6', '--no-fast-screen');
  assert.equal(run.code, 0, run.stderr);
  const progress = run.stderr.split('\n').filter((l) => /^[a-z].*: \d+\/\d+ \(\d+%\)$/.test(l));
  assert.ok(!run.stderr.includes('\r'), 'no carriage returns in a pipe');
  assert.ok(progress.some((l) => l.startsWith('predicting the pool: ')), run.stderr);
  assert.ok(progress.some((l) => l.startsWith('scoring heads (depth 0): ')), run.stderr);
  assert.ok(progress.length <= 40, `a few lines, not one per batch (${progress.length})`);
});
