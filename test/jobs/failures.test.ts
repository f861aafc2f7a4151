// Jobs that go wrong, and the context's workspace access: a kind that throws ends 'failed' with its
// message and keeps the metrics it reported; an invalid configuration or unknown kind is refused
// before anything is written; a kind writes through ctx.store and reads through ctx.workspace().

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobConfigError } from '../../main/jobs/index';
import { workspaceWithRunner } from './helpers';

test('a kind that throws ends failed, with its message, its run failed and its metrics kept', async (t) => {
  const { ws, runner } = await workspaceWithRunner(t);
  runner.start();
  const job = await runner.waitFor(runner.enqueue({ kind: 'test-fail', config: { failAt: 3 } }).id);
  assert.equal(job.status, 'failed');
  assert.equal(job.error, 'deliberate failure at step 3');
  const run = ws.runs.get(job.runId!)!;
  assert.equal(run.status, 'failed');
  assert.equal(run.error, 'deliberate failure at step 3');
  assert.deepEqual(ws.metrics.series(run.id, 'loss').map((p) => p.step), [1, 2, 3]);
});

test('invalid configurations and unknown kinds are refused before anything is written', async (t) => {
  const { ws, runner } = await workspaceWithRunner(t);
  assert.throws(() => runner.enqueue({ kind: 'train-tiny', config: { steps: 0, hidden: 10, heads: 3 } }), (e: unknown) => {
    assert.ok(e instanceof JobConfigError);
    assert.match(e.message, /steps/);
    assert.match(e.message, /hidden must be a multiple of heads/);
    return true;
  });
  assert.throws(() => runner.enqueue({ kind: 'train-tiny', config: { stpes: 5 } }), /Unrecognized key: "stpes"/);
  assert.throws(() => runner.enqueue({ kind: 'no-such-kind' }), /unknown job kind "no-such-kind" \(known: .*train-tiny/);
  assert.throws(() => runner.enqueue({ kind: 'train-tiny', device: 'tpu' }), /device must be one of cpu, cuda/);
  assert.throws(() => runner.enqueue({ kind: 'train-tiny', seed: 0.5 }), /seed must be an integer/);
  assert.deepEqual(ws.jobs.list(), []);
  assert.deepEqual(ws.runs.list(), []);
});

test('a job row of a kind this Lontar does not know fails instead of starting a process', async (t) => {
  const { ws, runner } = await workspaceWithRunner(t);
  const run = ws.runs.create({ kind: 'from-the-future', config: {}, seed: 0 });
  const row = ws.jobs.enqueue({ kind: 'from-the-future', runId: run.id, payload: { checkpointEvery: 0 } });
  runner.start();
  const job = await runner.waitFor(row.id);
  assert.equal(job.status, 'failed');
  assert.match(job.error ?? '', /unknown job kind "from-the-future"/);
});

test('a kind writes through ctx.store (done by the owner) and reads its own write through ctx.workspace()', async (t) => {
  const { ws, runner } = await workspaceWithRunner(t);
  runner.start();
  const job = await runner.waitFor(runner.enqueue({ kind: 'test-write', config: { name: 'tiny-bert' } }).id);
  assert.equal(job.status, 'done', job.error ?? '');
  const summary = job.progressDetail['summary'] as { modelId: number; readBack: string };
  assert.equal(summary.readBack, 'tiny-bert');
  assert.equal(ws.models.get(summary.modelId)?.name, 'tiny-bert');
});
