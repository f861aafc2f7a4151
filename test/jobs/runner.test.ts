// The runner end to end with real job processes: progress events and metrics of a training job,
// one job at a time per device in FIFO order, and the two ways a job is interrupted while its owner
// lives (its process killed; the owner closing), both resumed to the same weights as an
// uninterrupted run.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobRunner, type JobProgressEvent } from '../../main/jobs/index';
import { CHECKPOINT_MEDIA_TYPE } from '../../main/jobs/checkpoint-file';
import { checkWorkspace } from '../../main/store/index';
import { readTensors, testRegistry, TINY, workspaceWithRunner } from './helpers';

test('a training job streams progress, records every step and checkpoint, and stores its weights', async (t) => {
  const { ws, runner } = await workspaceWithRunner(t);
  const events: JobProgressEvent[] = [];
  const checkpoints: number[] = [];
  /** The checkpoint blobs in the store as each checkpoint is recorded. */
  const stored: string[][] = [];
  const checkpointBlobs = () => ws.blobs.records().filter((b) => b.mediaType === CHECKPOINT_MEDIA_TYPE).map((b) => b.hash);
  runner.on('progress', (e) => events.push(e));
  runner.on('checkpoint', (e) => {
    checkpoints.push(e.step);
    stored.push(checkpointBlobs());
    assert.deepEqual(stored.at(-1), [e.blob]);
  });
  const started: number[] = [];
  runner.on('started', (e) => started.push(e.pid));
  runner.start();
  const queued = runner.enqueue({ kind: 'train-tiny', config: TINY, seed: 5, checkpointEvery: 10 });
  const job = await runner.waitFor(queued.id);

  assert.equal(job.status, 'done', job.error ?? '');
  assert.equal(started.length, 1);
  assert.notEqual(started[0], process.pid, 'the job ran in its own process');
  assert.ok(events.length >= 2, `${events.length} progress events`);
  assert.deepEqual(events.map((e) => e.step), [...events.map((e) => e.step)].sort((a, b) => a - b), 'steps only grow');
  const last = events.at(-1)!;
  assert.equal(last.step, TINY.steps);
  assert.equal(last.fraction, 1);
  assert.equal(last.etaSeconds, 0);
  assert.ok(Number.isFinite(last.loss) && last.metrics?.['accuracy'] !== undefined, JSON.stringify(last));
  assert.deepEqual(checkpoints, [10, 20, 30], 'a checkpoint per interval; the last step is the output instead');

  const run = ws.runs.get(job.runId!)!;
  assert.equal(run.status, 'done');
  assert.deepEqual(ws.metrics.series(run.id, 'loss').map((p) => p.step), Array.from({ length: TINY.steps }, (_, i) => i + 1));
  assert.deepEqual(ws.metrics.series(run.id, 'accuracy').map((p) => p.step), [10, 20, 30, 40]);
  assert.equal(job.checkpointStep, 30);
  assert.deepEqual(stored.map((s) => s.length), [1, 1, 1], 'each checkpoint freed the one before it as it was recorded');
  assert.equal(job.checkpointBlob, null, 'a done job lets go of its checkpoint…');
  assert.deepEqual(checkpointBlobs(), [], '…and its blob is freed: the result is the run output');
  const recorded = new Set(ws.blobs.records().map((b) => b.hash));
  assert.ok(ws.blobs.filesOnDisk().every((h) => recorded.has(h)), 'no file left without its row');
  const weights = readTensors(ws, run.outputBlob!);
  assert.ok(weights.has('classifier.weight') && weights.has('encoder.layer.1.output.dense.weight'));
  assert.equal(job.progressDetail['summary'] && (job.progressDetail['summary'] as { steps: number }).steps, TINY.steps);
  assert.ok(checkWorkspace(ws).ok);
});

test('the queue runs one job at a time per device, oldest first', async (t) => {
  const { runner } = await workspaceWithRunner(t);
  const log: string[] = [];
  runner.on('started', (e) => log.push(`start ${e.job.id}`));
  runner.on('finished', (e) => log.push(`end ${e.job.id} ${e.job.status}`));
  const ids = [1, 2, 3].map((seed) => runner.enqueue({ kind: 'train-tiny', config: { ...TINY, steps: 5, evalEvery: 0 }, seed }).id);
  runner.start();
  await runner.idle();
  assert.deepEqual(log, ids.flatMap((id) => [`start ${id}`, `end ${id} done`]));
});

/** One uninterrupted run both resume tests compare against (the checkpoint interval changes nothing). */
const RESUMED = { ...TINY, steps: 120, evalEvery: 40 };
let reference: Promise<string> | undefined;
function referenceOutput(t: Parameters<typeof workspaceWithRunner>[0]): Promise<string> {
  reference ??= (async () => {
    const { ws, runner } = await workspaceWithRunner(t);
    runner.start();
    const job = await runner.waitFor(runner.enqueue({ kind: 'train-tiny', config: RESUMED, seed: 9, checkpointEvery: 50 }).id);
    assert.equal(job.status, 'done', job.error ?? '');
    return ws.runs.get(job.runId!)!.outputBlob!;
  })();
  return reference;
}

test('a job whose process dies is interrupted, and resumes to the same weights as an uninterrupted run', async (t) => {
  const expected = await referenceOutput(t);
  const { ws, runner } = await workspaceWithRunner(t);
  runner.start();
  const victim = runner.enqueue({ kind: 'train-tiny', config: RESUMED, seed: 9, checkpointEvery: 10 });
  let pid = 0;
  runner.on('started', (e) => (pid = e.pid));
  const off = runner.on('checkpoint', (e) => {
    if (e.jobId === victim.id && e.step === 20) process.kill(pid, 'SIGKILL'); // as a native crash would
  });
  const interrupted = await runner.waitFor(victim.id);
  off();
  assert.equal(interrupted.status, 'interrupted');
  assert.match(interrupted.error ?? '', /ended unexpectedly \(signal SIGKILL\)/);
  assert.equal(ws.runs.get(victim.runId!)!.status, 'interrupted');
  assert.ok(interrupted.checkpointStep! >= 20 && interrupted.checkpointStep! < RESUMED.steps);

  let resumedFrom: number | null = null;
  runner.on('started', (e) => (resumedFrom = e.resumedFromStep));
  runner.resume(victim.id);
  const resumed = await runner.waitFor(victim.id);
  assert.equal(resumed.status, 'done', resumed.error ?? '');
  assert.equal(resumedFrom, interrupted.checkpointStep);
  const run = ws.runs.get(victim.runId!)!;
  assert.equal(run.status, 'done');
  assert.equal(run.outputBlob, expected, 'bit-identical weights give the identical blob');
  assert.deepEqual(ws.metrics.series(run.id, 'loss').map((p) => p.step), Array.from({ length: RESUMED.steps }, (_, i) => i + 1));
});

test('closing the runner stops a job at a fresh checkpoint; resuming it finishes it exactly', async (t) => {
  const expected = await referenceOutput(t);
  const { ws, runner } = await workspaceWithRunner(t);
  runner.start();
  const job = runner.enqueue({ kind: 'train-tiny', config: RESUMED, seed: 9, checkpointEvery: 0 }); // checkpoints only when stopped
  await new Promise<void>((resolve) => {
    const off = runner.on('progress', (e) => e.step >= 30 && (off(), resolve()));
  });
  await runner.close();
  const stopped = ws.jobs.get(job.id)!;
  assert.equal(stopped.status, 'interrupted');
  assert.match(stopped.error ?? '', /stopped/);
  const reached = ws.metrics.lastStep(stopped.runId!)!;
  assert.ok(stopped.checkpointStep! >= 30 && stopped.checkpointStep === reached, `checkpoint ${stopped.checkpointStep}, last metric ${reached}`);

  const restarted = new JobRunner(ws, { registry: await testRegistry(), threads: 1 }); // as after a restart
  t.after(() => restarted.close());
  restarted.start();
  restarted.resume(job.id);
  const done = await restarted.waitFor(job.id);
  assert.equal(done.status, 'done', done.error ?? '');
  assert.equal(ws.runs.get(done.runId!)!.outputBlob, expected);
});
