// `lontar jobs ...`: list, kinds, start (queued only or run here), run, resume after a crash,
// cancel (here, and of a job another Lontar process is running), with their exit codes.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobRegistry, JobRunner } from '../../main/jobs/index';
import { Workspace, type JobRecord } from '../../main/store/index';
import { REPO, tempDir, TINY } from './helpers';

const BIN = join(REPO, 'bin', 'lontar.mjs');

/**
 * The CLI as a separate process: in-process capture of stdout would also capture the test runner's
 * own reports, which Node writes to stdout while a long command awaits.
 */
function lontar(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const config = JSON.stringify({ ...TINY, steps: 20 });

/** Queues a short train-tiny job directly (setup, not under test); returns its id. */
async function enqueueTiny(dir: string): Promise<number> {
  const ws = Workspace.open(dir, { create: true });
  try {
    return new JobRunner(ws, { registry: await JobRegistry.load() }).enqueue({ kind: 'train-tiny', config: JSON.parse(config) }).id;
  } finally {
    ws.close();
  }
}

test('list, run the queue, and list again', async (t) => {
  const dir = join(tempDir(t), 'ws');
  const job = { id: await enqueueTiny(dir) }; // `start --enqueue-only` is exercised by sigkill.test.ts

  const listed = await lontar('jobs', 'list', '--workspace', dir);
  assert.equal(listed.code, 0);
  assert.match(listed.stdout, new RegExp(`^${job.id}\\s+train-tiny\\s+queued\\s+cpu\\s+0%`, 'm'));

  const ran = await lontar('jobs', 'run', '--workspace', dir, '--threads', '1', '--json');
  assert.equal(ran.code, 0, ran.stderr);
  assert.deepEqual((JSON.parse(ran.stdout) as { jobs: JobRecord[] }).jobs.map((j) => [j.id, j.status]), [[job.id, 'done']]);
  assert.match(ran.stderr, /job \d+ train-tiny started \(process \d+, cpu\)/);
  assert.match(ran.stderr, /step 20\/20 {2}loss \d/);

  const done = await lontar('jobs', 'list', '--workspace', dir, '--status', 'done', '--json');
  const jobs = (JSON.parse(done.stdout) as { jobs: JobRecord[] }).jobs;
  assert.equal(jobs.length, 1);
  assert.equal(jobs[0]!.progress, 1);
});

test('kinds lists train-tiny with its defaults; a bad configuration is a usage error that creates nothing', async (t) => {
  const kinds = await lontar('jobs', 'kinds', '--json');
  const tiny = (JSON.parse(kinds.stdout) as { kind: string; defaults: { steps: number } }[]).find((k) => k.kind === 'train-tiny');
  assert.equal(tiny?.defaults.steps, 200);

  const dir = join(tempDir(t), 'never-created');
  const bad = await lontar('jobs', 'start', 'train-tiny', '--workspace', dir, '--config', '{"steps": -1}');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid train-tiny configuration/);
  assert.ok(!existsSync(dir), 'no workspace was created');
});

test('resume recovers a job a dead process left running and finishes it; cancel and resume refuse finished jobs', async (t) => {
  const dir = join(tempDir(t), 'ws');
  const id = await enqueueTiny(dir);
  const ws = Workspace.open(dir); // a process claims the job, then vanishes without a word
  ws.durably(() => ws.runs.start(ws.jobs.claimNext('cpu')!.runId!));
  ws.close();

  const resumed = await lontar('jobs', 'resume', String(id), '--workspace', dir, '--threads', '1', '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`job ${id} was left running by a process that ended: marked interrupted`));
  const out = JSON.parse(resumed.stdout) as { job: JobRecord; run: { status: string; outputBlob: string } };
  assert.equal(out.job.status, 'done');
  assert.equal(out.run.status, 'done');
  assert.match(out.run.outputBlob, /^[0-9a-f]{64}$/);

  const again = await lontar('jobs', 'resume', String(id), '--workspace', dir);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /is done; only an interrupted job can be resumed/);
  const cancel = await lontar('jobs', 'cancel', String(id), '--workspace', dir);
  assert.equal(cancel.code, 1);
  assert.match(cancel.stderr, /is done; only queued, running or interrupted jobs can be cancelled/);
});

test('cancel: a queued job here, and a job another Lontar process is running', async (t) => {
  const dir = join(tempDir(t), 'ws');
  const first = await enqueueTiny(dir);
  const cancelled = await lontar('jobs', 'cancel', String(first), '--workspace', dir, '--json');
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.equal((JSON.parse(cancelled.stdout) as { job: JobRecord }).job.status, 'cancelled');

  const long = JSON.stringify({ ...TINY, steps: 1_000_000, evalEvery: 0 });
  const other = spawn(process.execPath, [BIN, 'jobs', 'start', 'train-tiny', '--workspace', dir, '--config', long, '--threads', '1'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => other.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    other.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/step \d+\/1000000/.test(stderr)) resolve();
    });
    other.on('close', () => reject(new Error(`the other process ended early: ${stderr}`)));
  });
  const remote = await lontar('jobs', 'cancel', String(first + 1), '--workspace', dir, '--timeout', '30');
  assert.equal(remote.code, 0, remote.stderr);
  assert.match(remote.stdout, new RegExp(`job ${first + 1} cancelled`));
  assert.equal(await exited, 1);
  assert.match(stderr, new RegExp(`job ${first + 1} ended cancelled`));
});
