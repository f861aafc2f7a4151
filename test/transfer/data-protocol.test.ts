// The data protocol, end to end: after a whole experiment, competence data, M and D come from the
// source's Pool A only, tuning data from the target's Pool B only, no test, validation or held-out
// tuning row (nor a translation of one) appears in competence data, M or D; and the guards refuse
// leaks handed to them, down to a transfer job whose target pool was tampered with.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobRegistry, JobRunner } from '../../main/jobs/index';
import type { ExampleRecord } from '../../main/store/index';
import { PoolLeakError } from '../../main/store/index';
import { readCircuitBlob } from '../../main/transfer/circuit-store';
import { assertHeldOut, DataLeakError } from '../../main/transfer/data-protocol';
import { runNameOf } from '../../main/transfer/experiment/run-experiment';
import { obtainPoolSplit, poolRows, sampleRows } from '../../main/transfer/pipeline-data';
import { POOLS } from './fixtures';
import { runTiny, tinyExperiment, tinySetup, trainedOn } from './helpers';

test('competence data, M and D stay inside the source Pool A; tuning data inside the target Pool B; nothing else leaks', { timeout: 120_000 }, async (t) => {
  const { root, ws: dir } = tinySetup(t);
  const { ws, outcome } = await runTiny(t, dir, tinyExperiment(root));
  assert.ok(outcome.complete, JSON.stringify(outcome.cells));
  const datasetId = outcome.prepared.dataset.id;
  const runOf = (key: string) => ws.runs.list().find((r) => r.name === runNameOf('tiny', key))!;
  const split = (language: string) => poolRows(ws, ws.pools.find(datasetId, language, 31, POOLS.discovery, POOLS.tuning)!);
  const ind = split('ind');
  const jav = split('jav');
  const ids = (rows: readonly ExampleRecord[]) => new Set(rows.map((r) => r.id));
  const heldOut = new Set([
    ...ws.examples.list(datasetId, { split: 'test' }).map((r) => r.id),
    ...ws.examples.list(datasetId, { split: 'valid' }).map((r) => r.id),
    ...ind.tuning.map((r) => r.id),
    ...jav.tuning.map((r) => r.id),
  ]);

  const competence = trainedOn(ws, runOf('seed31/competence').id);
  const circuit = readCircuitBlob(ws, runOf('seed31/discover').outputBlob!);
  const stage1 = { competence, M: circuit.examples.mean.map(Number), D: circuit.examples.discovery.map(Number) };
  for (const [what, used] of Object.entries(stage1)) {
    assert.ok(used.length > 0, what);
    assert.ok(used.every((id) => ids(ind.discovery).has(id)), `${what} ⊂ ind Pool A`);
    assert.deepEqual(used.filter((id) => heldOut.has(id)), [], `${what} holds no test, validation or Pool B row`);
  }
  assert.equal(competence.length, 12);

  const sentencesOfPoolA = new Set(ind.discovery.map((r) => r.sourceId));
  for (const key of ['seed31/jav/n6/circuit/d1', 'seed31/jav/n6/nearzero/d1', 'seed31/jav/n6/full']) {
    const used = trainedOn(ws, runOf(key).id);
    assert.equal(used.length, 6);
    assert.ok(used.every((id) => ids(jav.tuning).has(id)), `${key}: tuning rows ⊂ jav Pool B`);
    const sentences = used.map((id) => ws.examples.get(id)!.sourceId);
    assert.deepEqual(sentences.filter((s) => sentencesOfPoolA.has(s)), [], `${key}: no translation of a Pool A sentence`);
  }
  // NusaX-style parallel data: the same pool seed partitions every language alike by sentence id.
  assert.deepEqual(jav.tuning.map((r) => r.sourceId).sort(), ind.tuning.map((r) => r.sourceId).sort());

  // The guards refuse what they are handed.
  const translated = jav.discovery.slice(0, 2); // jav rows whose ind translations are in Pool A
  assert.throws(() => assertHeldOut(translated, ind.discovery, true), DataLeakError);
  const testRow = ws.examples.list(datasetId, { language: 'jav', split: 'test' })[0]!;
  assert.throws(() => sampleRows([...jav.tuning, testRow], 3, 1, 'tuning'), PoolLeakError);

  // A tampered target pool (its "held-out" rows translate the source's Pool A) stops the transfer job.
  const data = { datasetId, source: 'ind', poolSeed: 99, pools: POOLS };
  const indPoolA = new Set(poolRows(ws, await obtainPoolSplit(ws, (p) => ws.pools.create(p), data, 'ind')).discovery.map((r) => r.sourceId));
  const javRows = ws.examples.list(datasetId, { language: 'jav', split: 'train' });
  const leaking = javRows.filter((r) => indPoolA.has(r.sourceId)).slice(0, POOLS.tuning);
  const rest = javRows.filter((r) => !leaking.includes(r));
  ws.pools.create({ datasetId, language: 'jav', seed: 99, discovery: rest.map((r) => r.id), tuning: leaking.map((r) => r.id) });
  const registry = await JobRegistry.load();
  const runner = new JobRunner(ws, { registry, threads: 1 });
  t.after(() => runner.close());
  const comp = runner.enqueue({ kind: 'competence', seed: 99, config: { ...runOf('seed31/competence').config, poolSeed: 99, evaluate: [{ language: 'ind', split: 'valid' }] } });
  const transfer = runner.enqueue({ kind: 'transfer', seed: 99, config: { competenceRunId: comp.runId, method: 'full', target: 'jav', n: 4, recipe: { epochs: 1, batchSize: 4, maxLength: 32 } } });
  runner.start();
  assert.equal((await runner.waitFor(comp.id)).status, 'done');
  const refused = await runner.waitFor(transfer.id);
  assert.equal(refused.status, 'failed');
  assert.match(refused.error ?? '', /translates a sentence of the source's discovery pool/);
  assert.equal(ws.evaluations.byRun(transfer.runId!).length, 0);
});
