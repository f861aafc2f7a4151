// Cancelling: a running job ends 'cancelled' promptly with the database consistent; a queued one
// never starts; a job stuck in one long blocking call is killed after the grace period; a request
// left by another process is honoured; and finished jobs cannot be cancelled.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobStateError, requestCancel } from '../../main/jobs/index';
import { checkWorkspace } from '../../main/store/index';
import { TINY, workspaceWithRunner } from './helpers';

const LONG = { ...TINY, steps: 100_000, evalEvery: 0 };

test('cancelling a running job ends it promptly, its run too, with metrics up to where it stopped', async (t) => {
  const { ws, runner } = await workspaceWithRunner(t);
  runner.start();
  const job = runner.enqueue({ kind: 'train-tiny', config: LONG, seed: 1, checkpointEvery: 10 });
  const waiting = runner.enqueue({ kind: 'train-tiny', config: LONG, seed: 2 });
  const started: number[] = [];
  runner.on('started', (e) => started.push(e.job.id));
  await new Promise<void>((resolve) => {
    const off = runner.on('checkpoint', (e) => e.step >= 20 && (off(), resolve()));
  });

  const asked = performance.now();
  const cancelled = await runner.cancel(job.id);
  const took = performance.now() - asked;
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(took < 5000, `cancel took ${took.toFixed(0)} ms`);
  const run = ws.runs.get(job.runId!)!;
  assert.equal(run.status, 'cancelled');
  assert.ok(run.finishedAt && cancelled.finishedAt);
  const steps = ws.metrics.series(run.id, 'loss').map((p) => p.step);
  assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i + 1), 'no step missing');
  assert.ok(steps.length >= cancelled.checkpointStep! && steps.length < LONG.steps);

  // the next job in the queue starts once the lane is free; cancel it while it waits or runs
  assert.equal((await runner.cancel(waiting.id)).status, 'cancelled');
  assert.equal(ws.runs.get(waiting.runId!)!.status, 'cancelled');
  await runner.idle();
  assert.ok(checkWorkspace(ws).ok);
  await assert.rejects(runner.cancel(job.id), (e: unknown) => e instanceof JobStateError && /cancelled/.test(e.message));
});

test('a queued job cancelled before its turn never starts', async (t) => {
  const { ws, runner } = await workspaceWithRunner(t);
  const job = runner.enqueue({ kind: 'train-tiny', config: TINY, seed: 1 });
  const started: number[] = [];
  runner.on('started', (e) => started.push(e.job.id));
  const cancelled = await runner.cancel(job.id);
  runner.start();
  await runner.idle();
  assert.equal(cancelled.status, 'cancelled');
  assert.deepEqual(started, []);
  assert.equal(ws.runs.get(job.runId!)!.status, 'cancelled');
  assert.equal(ws.runs.get(job.runId!)!.startedAt, null);
});

test('a job blocking its thread is killed after the grace period and still ends cancelled', async (t) => {
  const { ws, runner } = await workspaceWithRunner(t, { cancelGraceMs: 300 });
  runner.start();
  const job = runner.enqueue({ kind: 'test-block', config: { seconds: 60 } });
  await new Promise<void>((resolve) => {
    const off = runner.on('progress', () => (off(), resolve()));
  });
  const asked = performance.now();
  const cancelled = await runner.cancel(job.id);
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(performance.now() - asked < 5000);
  assert.equal(ws.runs.get(job.runId!)!.status, 'cancelled');
});

test('a cancel request left by another process is picked up by the running owner', async (t) => {
  const { dir, ws, runner } = await workspaceWithRunner(t, { requestPollMs: 50 });
  runner.start();
  const job = runner.enqueue({ kind: 'train-tiny', config: LONG, seed: 3 });
  const queued = runner.enqueue({ kind: 'train-tiny', config: TINY, seed: 4 });
  await new Promise<void>((resolve) => {
    const off = runner.on('progress', () => (off(), resolve()));
  });
  requestCancel(dir, queued.id); // as `lontar jobs cancel` does when the workspace is in use
  requestCancel(dir, job.id);
  assert.equal((await runner.waitFor(job.id)).status, 'cancelled');
  assert.equal((await runner.waitFor(queued.id)).status, 'cancelled');
  assert.equal(ws.runs.get(queued.runId!)!.startedAt, null);
});
