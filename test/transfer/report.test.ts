// The arithmetic behind the tables: accuracy and macro-F1, mean ± sample std, the validation choice
// between Circuit and NearZero (and the post-hoc pick beside it), forgetting, the seeded data order,
// the recipe's step count and schedule, and experiment files (YAML/JSON, paths, refusals).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { batchIndices } from '../../main/transfer/data-order';
import { bestOnTest, chooseOnValidation, chosenRun } from '../../main/transfer/experiment/choice';
import { ExperimentFileError, parseExperiment, readExperimentFile } from '../../main/transfer/experiment/experiment-file';
import { buildReport } from '../../main/transfer/experiment/report';
import type { ExperimentResults, TransferResult } from '../../main/transfer/experiment/results';
import { formatStat, stat } from '../../main/transfer/experiment/stats';
import { accuracy, macroF1 } from '../../main/transfer/metrics';
import { recipeSchema, stepsFor, trainStepOptions } from '../../main/transfer/recipe';
import { tempDir } from './fixtures';

test('accuracy and macro-F1 (labels present in gold or predictions, as scikit-learn)', () => {
  const gold = ['a', 'a', 'b', 'c'];
  const predicted = ['a', 'b', 'b', 'b'];
  assert.equal(accuracy(gold, predicted), 0.5);
  // a: P 1, R 0.5 → 2/3; b: P 1/3, R 1 → 1/2; c: never predicted → 0
  assert.ok(Math.abs(macroF1(gold, predicted) - (2 / 3 + 1 / 2 + 0) / 3) < 1e-12);
  assert.equal(macroF1(['x', 'y'], ['x', 'y']), 1);
});

test('mean ± sample standard deviation, printed as the tables print it', () => {
  const s = stat([0.5, 0.6, 0.7, NaN])!;
  assert.equal(s.count, 3);
  assert.ok(Math.abs(s.mean - 0.6) < 1e-12);
  assert.ok(Math.abs(s.std - 0.1) < 1e-12);
  assert.equal(formatStat(s), '0.600 ± 0.100');
  assert.equal(formatStat(stat([0.25])), '0.250');
  assert.equal(formatStat(stat([])), '—');
});

function result(seed: number, method: TransferResult['method'], valid: number, testAcc: number, source = 0.7, reached = 1): TransferResult {
  const score = (accuracy: number) => ({ accuracy, macroF1: accuracy });
  const depth = method === 'full' ? {} : { depthReached: reached };
  return { key: `${seed}/${method}`, seed, target: 'jav', n: 25, method, depth: method === 'full' ? null : 1, ...depth, runId: 1, status: 'done', targetTest: score(testAcc), targetValid: score(valid), sourceTest: score(source) };
}

test('Circuit or NearZero is chosen per seed on validation (ties: Circuit), never on test', () => {
  const runs = [result(1, 'circuit', 0.6, 0.5), result(1, 'nearzero', 0.7, 0.4), result(2, 'circuit', 0.6, 0.55), result(2, 'nearzero', 0.6, 0.9)];
  const choices = chooseOnValidation(runs);
  assert.deepEqual(choices.map((c) => [c.seed, c.chosen]), [[1, 'nearzero'], [2, 'circuit']]);
  assert.deepEqual(choices.map((c) => chosenRun(c).targetTest!.accuracy), [0.4, 0.55]);
  assert.deepEqual(choices.map((c) => bestOnTest(c).targetTest!.accuracy), [0.5, 0.9]);
});

test('the report: A0 and method columns, the validation-chosen column, retention and forgetting per seed', () => {
  const spec = parseExperiment({ name: 'x', model: 'm', data: 'd', source: 'ind', targets: ['jav'], n: [25], methods: ['circuit', 'nearzero', 'full'], seeds: [1, 2], depth: [1] }, '/');
  const competence = [1, 2].map((seed) => ({
    seed,
    runId: seed,
    status: 'done',
    test: new Map([['ind', { accuracy: 0.8, macroF1: 0.8 }], ['jav', { accuracy: 0.5 + seed / 10, macroF1: 0.5 }]]),
    valid: new Map(),
  }));
  const transfers = [
    result(1, 'circuit', 0.6, 0.5, 0.8), result(1, 'nearzero', 0.7, 0.4, 0.75), result(1, 'full', 0, 0.45, 0.5),
    result(2, 'circuit', 0.6, 0.55, 0.78), result(2, 'nearzero', 0.6, 0.9, 0.8), result(2, 'full', 0, 0.55, 0.6),
  ];
  const report = buildReport({ spec, competence, discoveries: [], transfers } satisfies ExperimentResults);
  const [target, retention, forgetting] = report.tables;
  assert.deepEqual(target!.header, ['target', 'n', 'Comp.', 'Full FT (continued)', 'Circuit (CT-SFT) d1', 'NearZero d1', 'CT-SFT (val-chosen) d1']);
  assert.deepEqual(target!.rows[0], ['jav', '25', '0.650 ± 0.071', '0.500 ± 0.071', '0.525 ± 0.035', '0.650 ± 0.354', '0.475 ± 0.106']);
  assert.deepEqual(retention!.rows[0]!.slice(2, 4), ['0.800 ± 0.000', '0.550 ± 0.071']);
  assert.deepEqual(forgetting!.rows[0]!.slice(3, 5), ['0.250 ± 0.071', '0.010 ± 0.014']);
  assert.match(report.csv['choice.csv']!, /jav,25,1,1,1,nearzero,0.6,0.7,0.5,0.4,0.4,0.5\njav,25,1,1,2,circuit,0.6,0.6,0.55,0.9,0.55,0.9/);
  assert.deepEqual(report.missing, []);
});

test('no label names a depth that was not reached: expansion stopped at 0 (or differs by seed) says so', () => {
  const spec = parseExperiment({ name: 'x', model: 'm', data: 'd', source: 'ind', targets: ['jav'], n: [25], methods: ['circuit', 'nearzero', 'full'], seeds: [1, 2], depth: [1] }, '/');
  const competence = [1, 2].map((seed) => ({ seed, runId: seed, status: 'done', test: new Map([['ind', { accuracy: 0.8, macroF1: 0.8 }]]), valid: new Map() }));
  const stopped = (r2: number) => [
    result(1, 'circuit', 0.6, 0.5, 0.8, 0), result(1, 'nearzero', 0.7, 0.4, 0.75, 0), result(1, 'full', 0, 0.45, 0.5),
    result(2, 'circuit', 0.6, 0.55, 0.78, r2), result(2, 'nearzero', 0.6, 0.9, 0.8, r2), result(2, 'full', 0, 0.55, 0.6),
  ];
  const atZero = buildReport({ spec, competence, discoveries: [], transfers: stopped(0) });
  assert.deepEqual(atZero.tables[0]!.header.slice(4), ['Circuit (CT-SFT) d0 (asked d1)', 'NearZero d0 (asked d1)', 'CT-SFT (val-chosen) d0 (asked d1)']);
  const choice = atZero.tables.find((t) => t.title.startsWith('Circuit or NearZero'))!;
  assert.equal(choice.rows[0]![2], 'd0 (asked d1)');
  assert.match(atZero.csv['summary.csv']!, /^target,n,method,depth_asked,depth_reached,/);
  assert.match(atZero.csv['summary.csv']!, /\njav,25,circuit,1,0,2,/);
  assert.match(atZero.csv['runs.csv']!, /,jav,25,circuit,1,0,0.5,/);
  assert.match(atZero.csv['choice.csv']!, /\njav,25,1,0,1,nearzero,/);
  assert.ok(!atZero.tables.some((t) => [...t.header, ...t.rows.flat()].some((c) => / d1$/.test(c))), 'no cell names d1 alone');
  const mixed = buildReport({ spec, competence, discoveries: [], transfers: stopped(1) });
  assert.equal(mixed.tables[0]!.header[4], 'Circuit (CT-SFT) d0–1 (asked d1)');
  assert.match(mixed.csv['summary.csv']!, /\njav,25,circuit,1,0 1,2,/);
});

test('data order: every example once per epoch, a fresh seeded permutation each epoch, the last batch partial', () => {
  const count = 10;
  const batch = 4;
  const epoch = (e: number) => [1, 2, 3].flatMap((s) => batchIndices(count, batch, 5, e * 3 + s));
  assert.deepEqual([...epoch(0)].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i));
  assert.notDeepEqual(epoch(0), epoch(1));
  assert.equal(batchIndices(count, batch, 5, 3).length, 2);
  assert.deepEqual(batchIndices(count, batch, 5, 4), batchIndices(count, batch, 5, 4));
  assert.notDeepEqual(epoch(0), [1, 2, 3].flatMap((s) => batchIndices(count, batch, 6, s)));
});

test('the recipe: the paper\'s defaults, steps per run, a linear schedule over them', () => {
  const paper = recipeSchema.parse({});
  assert.deepEqual([paper.epochs, paper.lr, paper.batchSize, paper.maxLength, paper.optimizer], [5, 5e-5, 16, 128, 'adamw']);
  assert.equal(stepsFor(100, paper), 5 * 7);
  assert.deepEqual(trainStepOptions(paper, 35).schedule, { kind: 'linear', lr: 5e-5, warmupSteps: 0, totalSteps: 35 });
  assert.equal(trainStepOptions(recipeSchema.parse({ clipNorm: null }), 35).clipNorm, undefined);
});

test('experiment files: YAML or JSON, paths relative to the file, refusals that name the field', (t) => {
  const dir = tempDir(t);
  const yaml = join(dir, 'grid.yaml');
  writeFileSync(yaml, 'name: paper\nmodel: ../models/demo\ndata: data/nusax\nsource: ind\ntargets: [ace, jav]\nn: [25, 50]\nrecipe: { lr: 0.001 }\n');
  const spec = readExperimentFile(yaml);
  assert.equal(spec.model, join(dir, '..', 'models', 'demo'));
  assert.equal(spec.data, join(dir, 'data', 'nusax'));
  assert.deepEqual(spec.seeds, [31, 777, 2025, 12345]);
  assert.equal(spec.recipe.lr, 0.001);
  assert.equal(spec.recipe.epochs, 5);
  const base = { name: 'x', model: 'm', data: 'd', source: 'ind', targets: ['jav'], n: [25] };
  assert.throws(() => parseExperiment({ ...base, methods: ['lora'] }, '/'), (e: unknown) => e instanceof ExperimentFileError && /methods/.test(e.message));
  assert.throws(() => parseExperiment({ ...base, n: [25, 25] }, '/'), /distinct/);
  assert.throws(() => parseExperiment({ ...base, data: undefined }, '/'), /`data`/);
  assert.throws(() => parseExperiment({ ...base, recipe: { lr: -1 } }, '/'), /recipe/);
  writeFileSync(join(dir, 'bad.json'), '{ name: ');
  assert.throws(() => readExperimentFile(join(dir, 'bad.json')), /not valid JSON/);
});
