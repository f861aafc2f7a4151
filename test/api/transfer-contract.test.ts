// The transfer calls' validation: launches, series and comparisons refuse bad payloads with every
// offending field named, and fill in the recipe, monitor and device defaults the same way for both hosts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiContract, parseRequest, type ApiErrorBody } from '../../main/api/contract/index';

function refused(method: string, payload: unknown): ApiErrorBody {
  const parsed = parseRequest(method, payload);
  assert.equal(parsed.ok, false, `${method} should refuse ${JSON.stringify(payload)}`);
  return (parsed as { error: ApiErrorBody }).error;
}

function accepted(method: string, payload: unknown): any {
  const parsed = parseRequest(method, payload);
  assert.ok(parsed.ok, `${method} should accept ${JSON.stringify(payload)}: ${parsed.ok ? '' : parsed.error.message}`);
  return parsed.request;
}

const paths = (e: ApiErrorBody) => e.issues?.map((i) => i.path).sort();

test('competence launches: defaults are the paper recipe, one seed, monitored; bad fields are named', () => {
  const r = accepted('transfer.launchCompetence', { modelId: 1, datasetId: 2, source: 'ind' });
  assert.deepEqual(r.recipe, { epochs: 5, lr: 5e-5, batchSize: 16, maxLength: 128 });
  assert.deepEqual(r.seeds, [31]);
  assert.deepEqual(r.targets, []);
  assert.deepEqual(r.pools, { discovery: 400, tuning: 100 });
  assert.deepEqual(r.monitor, { examples: 64, everySteps: 0 });
  assert.equal(r.device, 'auto');
  assert.equal(r.nSrc, 50);

  const bad = refused('transfer.launchCompetence', { modelId: 1, datasetId: 0, source: 'in d', seeds: [], recipe: { lr: 0, epochs: 2.5 }, nSrc: 0 });
  assert.equal(bad.code, 'invalid-request');
  assert.deepEqual(paths(bad), ['datasetId', 'nSrc', 'recipe.epochs', 'recipe.lr', 'seeds', 'source']);
  assert.match(bad.message, /recipe\.lr: must be above 0/);
  assert.match(bad.message, /seeds: give at least one seed/);
  assert.match(refused('transfer.launchCompetence', { modelId: 1, datasetId: 2, source: 'ind', seeds: [3, 3] }).message, /seeds: seeds must be distinct/);
  assert.match(refused('transfer.launchCompetence', { modelId: 1, datasetId: 2, source: 'ind', recipe: { warmup: 1 } }).message, /warmup/, 'an unknown recipe key is named');
  assert.equal(refused('transfer.launchCompetence', { modelId: 1, datasetId: 2, source: 'ind', device: 'tpu' }).issues?.[0]?.path, 'device');
  assert.equal(refused('transfer.launchCompetence', { modelId: 1, datasetId: 2, source: 'ind', seeds: Array.from({ length: 17 }, (_, i) => i) }).issues?.[0]?.message, 'at most 16 seeds at once');
});

test('transfer launches: head methods need a discovery run; methods, n and depth are checked', () => {
  const r = accepted('transfer.launch', { competenceRunId: 4, methods: ['full', 'direct', 'norms'], target: 'jav', n: 25 });
  assert.equal(r.discoveryRunId, null);
  assert.equal(r.kv, 'group');
  assert.equal(r.depth, 1);
  assert.deepEqual(accepted('transfer.launch', { competenceRunId: 4, discoveryRunId: 5, methods: ['circuit'], target: 'jav', n: 25, seeds: [1, 2] }).seeds, [1, 2]);

  const noCircuit = refused('transfer.launch', { competenceRunId: 4, methods: ['full', 'nearzero'], target: 'jav', n: 25 });
  assert.deepEqual(paths(noCircuit), ['discoveryRunId']);
  assert.match(noCircuit.message, /circuit, nearzero, random and least train heads: choose a discovery run/);

  const bad = refused('transfer.launch', { competenceRunId: 4, discoveryRunId: 5, methods: ['lora'], target: 'jav', n: 0, depth: 4, kv: 'share' });
  assert.deepEqual(paths(bad), ['depth', 'kv', 'methods.0', 'n']);
  assert.match(refused('transfer.launch', { competenceRunId: 4, methods: [], target: 'jav', n: 5 }).message, /methods: choose at least one method/);
  assert.match(refused('transfer.launch', { competenceRunId: 4, methods: ['full', 'full'], target: 'jav', n: 5 }).message, /methods must be distinct/);
  assert.equal(refused('transfer.launch', { methods: ['full'], target: 'jav', n: 5 }).issues?.[0]?.path, 'competenceRunId');
});

test('discovery, series, comparisons and the demo take only what they define', () => {
  assert.deepEqual(accepted('transfer.discover', { competenceRunId: 3 }), { competenceRunId: 3, depth: 1, selectionRatio: 0.02, meanSize: 50, discoverySize: 50, batchSize: 10, device: 'auto' });
  assert.match(refused('transfer.discover', { competenceRunId: 3, selectionRatio: 0 }).message, /selectionRatio: must be above 0/);
  assert.equal(refused('transfer.series', { runId: -2 }).issues?.[0]?.path, 'runId');
  assert.equal(refused('transfer.series', { runId: 2, metric: 'loss' }).code, 'invalid-request');
  assert.deepEqual(accepted('transfer.comparisons', undefined), {});
  assert.deepEqual(accepted('transfer.runs', {}), {});
  assert.equal(refused('transfer.runs', { kinds: ['experiment'] }).issues?.[0]?.path, 'kinds.0');
  assert.deepEqual(accepted('transfer.runDemo', {}), { device: 'auto' });

  assert.deepEqual(accepted('transfer.compare', { experiment: 'demo' }), { experiment: 'demo' });
  assert.deepEqual(accepted('transfer.compare', { competenceRunId: 7 }), { competenceRunId: 7 });
  for (const both of [{}, { experiment: 'demo', competenceRunId: 7 }]) {
    assert.match(refused('transfer.compare', both).message, /give exactly one of experiment and competenceRunId/);
  }
});

test('the comparison response schema refuses a point without its statistics', () => {
  const point = { target: 'jav', n: 25, method: 'circuit', depth: 1, depthReached: [1], label: 'Circuit (CT-SFT) d1', targetAcc: { mean: 0.6, std: 0, count: 1 }, targetF1: null, sourceAcc: null, forgetting: null, trainableFraction: null, trainSeconds: null };
  const base = { kind: 'pipeline', name: 'x', source: 'ind', targets: ['jav'], seeds: [31], competence: [], tables: [], missing: [] };
  assert.ok(apiContract['transfer.compare'].response.safeParse({ ...base, points: [point] }).success);
  const { targetAcc: _, ...partial } = point;
  assert.ok(!apiContract['transfer.compare'].response.safeParse({ ...base, points: [partial] }).success);
  const { depthReached: _d, ...unmeasured } = point;
  assert.ok(!apiContract['transfer.compare'].response.safeParse({ ...base, points: [unmeasured] }).success, 'a point says the depth it reached');
});
