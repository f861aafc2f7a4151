// Power-cut drill: `lontar jobs resume` runs a small training job and is killed with SIGKILL
// (owner and job process together, as a crash or power cut would; once the owner alone) at seeded
// random moments, again and again. After every kill the workspace must pass its integrity check,
// the run finished before the drill must be intact with all its metrics, and the interrupted job
// must have every metric up to its checkpoint. Resumed to the end, it must produce the same weights,
// bit for bit, as the uninterrupted run.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { Rng } from '../../main/engine/random';
import { checkWorkspace, Workspace, type JobRecord, type SeriesPoint } from '../../main/store/index';
import { differingTensors, readTensors, REPO, tempDir, TINY } from './helpers';

const KILLS = 6;
const CONFIG = { ...TINY, steps: 600, evalEvery: 100 };
const LONTAR = join(REPO, 'bin', 'lontar.mjs');

/** The CLI in its own process group, so one kill reaches the owner and its job process. */
function lontar(dir: string, ...args: string[]): ChildProcess {
  return spawn(process.execPath, [LONTAR, 'jobs', ...args, '--workspace', dir], { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Output {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** What the child prints, readable while it runs (`live`) and once it has ended. */
function collect(child: ChildProcess): { live: Output; ended: Promise<Output> } {
  const live: Output = { code: null, signal: null, stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (live.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (live.stderr += d.toString()));
  return { live, ended: new Promise((resolve) => child.on('close', (code, signal) => resolve({ ...live, code, signal }))) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits until `reached` holds for the job (or the child has ended); false if it never did. */
async function until(dir: string, jobId: number, child: ChildProcess, reached: (job: JobRecord) => boolean): Promise<boolean> {
  const ws = Workspace.open(dir, { readonly: true });
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      if (reached(ws.jobs.get(jobId)!)) return true;
      await sleep(10);
    }
  } finally {
    ws.close();
  }
}

/** Waits until the job has reported `step`. */
const untilStep = (dir: string, jobId: number, step: number, child: ChildProcess) =>
  until(dir, jobId, child, (job) => typeof job.progressDetail['step'] === 'number' && job.progressDetail['step'] >= step);

/** Waits until the job has committed a checkpoint after step `from`. */
const untilCheckpointPast = (dir: string, jobId: number, from: number, child: ChildProcess) => until(dir, jobId, child, (job) => (job.checkpointStep ?? 0) > from);

function checkpointOf(dir: string, jobId: number): number {
  const ws = Workspace.open(dir, { readonly: true });
  try {
    return ws.jobs.get(jobId)!.checkpointStep ?? 0;
  } finally {
    ws.close();
  }
}

test('SIGKILL at random moments: the workspace stays sound, finished runs stay whole, resume gives identical weights', { timeout: 240_000 }, async (t) => {
  const dir = tempDir(t, 'lontar-sigkill-');
  const rng = new Rng(20260128);
  const start = ['start', 'train-tiny', '--config', JSON.stringify(CONFIG), '--seed', '7', '--checkpoint-every', '50', '--threads', '1'];

  const first = await collect(lontar(dir, ...start, '--json')).ended;
  assert.equal(first.code, 0, first.stderr);
  const referenceJob = (JSON.parse(first.stdout) as { job: { id: number; runId: number } }).job;
  const snapshot = (() => {
    const ws = Workspace.open(dir, { readonly: true });
    try {
      const run = ws.runs.get(referenceJob.runId)!;
      return { outputBlob: run.outputBlob!, loss: ws.metrics.series(run.id, 'loss'), accuracy: ws.metrics.series(run.id, 'accuracy') };
    } finally {
      ws.close();
    }
  })();
  assert.equal(snapshot.loss.length, CONFIG.steps);

  const queued = await collect(lontar(dir, ...start, '--enqueue-only', '--json')).ended;
  assert.equal(queued.code, 0, queued.stderr);
  const jobId = (JSON.parse(queued.stdout) as { job: { id: number } }).job.id;

  const observed: string[] = [];
  let resumedFromCheckpoint = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const child = lontar(dir, 'resume', String(jobId), '--threads', '1');
    const output = collect(child);
    const ownerOnly = kill === 2;
    let moment: string;
    const from = checkpointOf(dir, jobId);
    if (kill % 3 === 1) {
      const ms = 300 + rng.int(2000); // anywhere: start-up, loading, training, checkpointing
      await sleep(ms);
      moment = `${ms} ms after start`;
    } else if (kill % 3 === 2) {
      // just after a checkpoint was committed (the old one being released, the next steps starting):
      // a moment that always leaves something to resume from, however slow the disk is
      const reached = await untilCheckpointPast(dir, jobId, from, child);
      const extra = rng.int(40);
      await sleep(extra);
      moment = reached ? `checkpoint > ${from} + ${extra} ms` : 'after it ended';
    } else {
      const target = Math.min(CONFIG.steps - 1, from + 1 + rng.int(150));
      const reached = await untilStep(dir, jobId, target, child);
      const extra = rng.int(40);
      await sleep(extra);
      moment = reached ? `step ≥ ${target} + ${extra} ms` : 'after it ended';
    }
    const jobPid = Number(/started \(process (\d+)/.exec(output.live.stderr)?.[1]);
    process.kill(ownerOnly ? child.pid! : -child.pid!, 'SIGKILL');
    await output.ended;
    if (ownerOnly && jobPid) {
      for (let i = 0; alive(jobPid) && i < 500; i++) await sleep(10);
      assert.ok(!alive(jobPid), `the job process ${jobPid} outlived its owner`);
      moment += ` (job process ${jobPid} ended with it)`;
    }

    const ws = Workspace.open(dir); // what a restart would do: quick_check, partial blob writes cleared
    try {
      const report = checkWorkspace(ws);
      assert.ok(report.ok, `kill ${kill} (${moment}): ${JSON.stringify(report)}`);
      const reference = ws.runs.get(referenceJob.runId)!;
      assert.equal(reference.status, 'done');
      assert.equal(ws.jobs.get(referenceJob.id)!.status, 'done');
      assert.deepEqual(ws.metrics.series(reference.id, 'loss'), snapshot.loss);
      assert.deepEqual(ws.metrics.series(reference.id, 'accuracy'), snapshot.accuracy);
      assert.equal(ws.blobs.verify(reference.outputBlob!), 'ok');

      const job = ws.jobs.get(jobId)!;
      const checkpoint = job.checkpointStep ?? 0;
      const losses = ws.metrics.series(job.runId!, 'loss');
      assert.deepEqual(values(losses.slice(0, checkpoint)), values(snapshot.loss.slice(0, checkpoint)), `kill ${kill}: metrics up to the checkpoint`);
      if (job.checkpointBlob) assert.equal(ws.blobs.verify(job.checkpointBlob), 'ok');
      if (checkpoint > 0 && job.status !== 'done') resumedFromCheckpoint++;
      observed.push(`kill ${kill} ${ownerOnly ? '(owner only) ' : ''}at ${moment}: job ${job.status}, checkpoint step ${checkpoint}, metrics to step ${losses.at(-1)?.step ?? 0}`);
      if (job.status === 'done') break;
    } finally {
      ws.close();
    }
  }
  for (const line of observed) t.diagnostic(line);
  assert.ok(resumedFromCheckpoint >= 2, `only ${resumedFromCheckpoint} kills left a checkpoint to resume from:\n${observed.join('\n')}`);

  const last = await collect(lontar(dir, 'resume', String(jobId), '--threads', '1', '--json')).ended;
  const ws = Workspace.open(dir);
  try {
    const job = ws.jobs.get(jobId)!;
    if (job.status !== 'done') assert.equal(last.code, 0, last.stderr);
    assert.equal(job.status, 'done');
    const run = ws.runs.get(job.runId!)!;
    assert.equal(run.status, 'done');
    assert.deepEqual(differingTensors(readTensors(ws, run.outputBlob!), readTensors(ws, snapshot.outputBlob)), []);
    assert.equal(run.outputBlob, snapshot.outputBlob);
    assert.deepEqual(values(ws.metrics.series(run.id, 'loss')), values(snapshot.loss));
    assert.deepEqual(values(ws.metrics.series(run.id, 'accuracy')), values(snapshot.accuracy));
    assert.ok(checkWorkspace(ws).ok);
  } finally {
    ws.close();
  }
});

const values = (points: SeriesPoint[]) => points.map((p) => [p.step, p.value]);
