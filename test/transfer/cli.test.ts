// The stage commands store into the workspace: `lontar competence`, then `lontar transfer --method
// circuit` (which runs a discovery first when there is none), then `lontar evaluate` of the result;
// a bad option value is refused with the choices, refused input exits 1, with one line and nothing written.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Workspace } from '../../main/store/index';
import { readCircuitBlob } from '../../main/transfer/circuit-store';
import { lontar } from '../models/fixtures/run-cli';
import { tinyModel, writeTinyModel } from '../models/fixtures/tiny-models';
import { tinySetup } from './helpers';

const RECIPE = ['--epochs', '2', '--lr', '0.01', '--batch', '4', '--max-length', '32', '--threads', '1'];

test('competence → transfer (circuit, discovery on the way) → evaluate, all stored in the workspace', { timeout: 120_000 }, async (t) => {
  const { root, ws } = tinySetup(t);
  const data = join(root, 'corpus');
  const competence = await lontar('competence', '--workspace', ws, '--model', join(root, 'model'), '--data', data, '--source', 'ind', '--n-src', '12', '--pools', '24,12', '--evaluate', 'jav:test', ...RECIPE, '--json');
  assert.equal(competence.code, 0, competence.stderr);
  const comp = JSON.parse(competence.stdout) as { run: { id: number }; evaluations: { language: string; split: string }[] };
  assert.deepEqual(comp.evaluations.map((e) => `${e.language}:${e.split}`), ['ind:test', 'ind:valid', 'jav:test']);

  const transfer = await lontar('transfer', '--workspace', ws, '--competence', String(comp.run.id), '--method', 'circuit', '--target', 'jav', '--n', '6', '--p', '0.125', '--depth', '1', ...RECIPE);
  assert.equal(transfer.code, 0, transfer.stderr);
  assert.match(transfer.stdout, /run \d+ \(transfer\): done\n {2}jav test: accuracy [\d.]+, macro-F1 [\d.]+ \(12 examples\)/);
  assert.match(transfer.stdout, /trainable: \d+ of 8848 parameters/);

  const evaluate = await lontar('evaluate', '--workspace', ws, '--run', String(comp.run.id), '--language', 'jav', '--split', 'valid', '--threads', '1');
  assert.equal(evaluate.code, 0, evaluate.stderr);
  assert.match(evaluate.stdout, /jav valid: accuracy/);

  const w = Workspace.open(ws, { readonly: true });
  try {
    assert.deepEqual(w.runs.list().map((r) => [r.kind, r.status]), [['competence', 'done'], ['discover', 'done'], ['transfer', 'done'], ['evaluate', 'done']]);
    const iterations = readCircuitBlob(w, w.runs.get(2)!.outputBlob!).iterations.length;
    assert.equal(w.circuits.byRun(2).length, iterations, 'one circuits row per depth reached');
    const javValid = w.evaluations.byRun(comp.run.id).find((e) => e.language === 'jav' && e.split === 'valid')!;
    assert.equal(w.evaluations.predictions(javValid.id).length, 12, 'every prediction is stored');
  } finally {
    w.close();
  }

  const usage = await lontar('transfer', '--workspace', ws, '--competence', '1', '--method', 'lora', '--target', 'jav', '--n', '6');
  assert.notEqual(usage.code, 0); // commander's own exit code for a bad option value
  assert.match(usage.stderr, /one of circuit, nearzero, random, least, full, direct, norms/);
  const unknown = await lontar('competence', '--workspace', ws, '--model', join(root, 'model'), '--dataset', 'nope', '--source', 'ind');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^lontar: no dataset "nope"/);
});

test('an encoder (BERT with its classifier) goes through the same stages: competence, discovery, CT-SFT', { timeout: 120_000 }, async (t) => {
  const { root, ws } = tinySetup(t);
  const bert = writeTinyModel(join(root, 'bert'), tinyModel('bert'), 'F32');
  const stage1 = (...extra: string[]) => lontar('competence', '--workspace', ws, '--model', bert, '--data', join(root, 'corpus'), '--source', 'ind', '--n-src', '12', '--pools', '24,12', ...extra, ...RECIPE);
  const stage2 = (competence: string) => lontar('transfer', '--workspace', ws, '--competence', competence, '--method', 'circuit', '--target', 'jav', '--n', '6', '--p', '0.25', '--depth', '1', ...RECIPE);
  assert.equal((await stage1()).code, 0);
  const noTarget = await stage2('1'); // stage 1 imported only Indonesian: the refusal says what to do
  assert.equal(noTarget.code, 1);
  assert.match(noTarget.stderr, /has no jav examples \(it has ind\); run `lontar competence` with `--evaluate jav:test`/);
  const competence = await stage1('--evaluate', 'jav:test');
  assert.equal(competence.code, 0, competence.stderr);
  const transfer = await stage2('2');
  assert.equal(transfer.code, 0, transfer.stderr);
  // With label-position sources this model's iteration-0 head is in layer 0, so depth 1 adds none: one of
  // its 4 heads' query/key/value rows and output columns (4 × 16 × 8 + 3 × 8) and the five LayerNorms (5 × 32)
  assert.match(transfer.stdout, /trainable: 696 of 6291 parameters/);
  const w = Workspace.open(ws, { readonly: true });
  try {
    assert.deepEqual(w.runs.list().map((r) => [r.kind, r.status]), [['competence', 'done'], ['competence', 'done'], ['discover', 'done'], ['transfer', 'done']]);
  } finally {
    w.close();
  }
});
