// An experiment grid run by `lontar experiment run` is killed mid-way (SIGKILL of the owner and its
// job process, as a crash or power cut would), leaves a sound workspace, resumes when the same
// command runs again, and reports the same tables as an uninterrupted run.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkWorkspace, Workspace } from '../../main/store/index';
import { buildReport } from '../../main/transfer/experiment/report';
import { collectResults } from '../../main/transfer/experiment/results';
import { REPO } from '../store/helpers';
import { tinyExperiment, tinySetup } from './helpers';

const LONTAR = join(REPO, 'bin', 'lontar.mjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `lontar experiment run` in its own process group; resolves with its exit code and output. */
function run(file: string, ws: string, out: string) {
  const child = spawn(process.execPath, [LONTAR, 'experiment', 'run', file, '--workspace', ws, '--out', out], { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const ended = new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, output })));
  return { child, ended };
}

/**
 * Waits until a transfer cell has checkpointed, after another transfer cell finished. Its checkpoint
 * must leave at least 8 of its 20 steps (and its evaluation) to run, so that the kill that follows
 * still finds it running on a slow machine (at step 18 it could end before the signal lands).
 */
async function untilTransferRunning(dir: string, child: ReturnType<typeof run>['child']): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error('the experiment ended before it could be killed');
    try {
      const ws = Workspace.open(dir, { readonly: true });
      try {
        const running = ws.jobs.list({ status: 'running' }).find((j) => j.kind === 'transfer' && (j.checkpointStep ?? 0) >= 2 && (j.checkpointStep ?? 0) <= 12);
        const done = ws.jobs.list({ status: 'done' }).filter((j) => j.kind === 'transfer').length;
        if (running && done >= 1) return;
      } finally {
        ws.close();
      }
    } catch {
      // the workspace is being created
    }
    await sleep(20);
  }
}

/** The report's tables without wall time (the only column that depends on the clock). */
function tables(dir: string) {
  const ws = Workspace.open(dir, { readonly: true });
  try {
    return buildReport(collectResults(ws, 'tiny')).tables.filter((t) => t.title !== 'Cost per method');
  } finally {
    ws.close();
  }
}

test('an experiment killed mid-way resumes and reports the same tables as an uninterrupted run', { timeout: 180_000 }, async (t) => {
  const { root } = tinySetup(t);
  const file = join(root, 'tiny.json');
  // 10 epochs (30 competence steps, 20 per transfer) with a checkpoint every 2 steps, so the kill
  // lands inside a job with a checkpoint to resume from.
  const recipe = { epochs: 10, lr: 0.01, batchSize: 4, maxLength: 32 };
  writeFileSync(file, JSON.stringify(tinyExperiment(root, { methods: ['circuit', 'full', 'norms'], recipe, checkpointEvery: 2 })));

  const reference = await run(file, join(root, 'ws-ref'), join(root, 'report-ref')).ended;
  assert.equal(reference.code, 0, reference.output);

  const dir = join(root, 'ws');
  const killed = run(file, dir, join(root, 'report-killed'));
  await untilTransferRunning(dir, killed.child);
  process.kill(-killed.child.pid!, 'SIGKILL');
  const end = await killed.ended;
  assert.equal(end.signal, 'SIGKILL');
  const ws = Workspace.open(dir); // what a restart does: quick_check, partial blob writes cleared
  try {
    assert.ok(checkWorkspace(ws).ok);
    const statuses = ws.runs.list().filter((r) => r.name?.startsWith('tiny/')).map((r) => r.status);
    assert.ok(statuses.includes('done') && statuses.includes('running'), `mid-way: ${statuses.join(', ')}`);
  } finally {
    ws.close();
  }

  const resumed = await run(file, dir, join(root, 'report')).ended;
  assert.equal(resumed.code, 0, resumed.output);
  assert.match(resumed.output, /\d+ done, \d+ to run/);
  assert.match(resumed.output, /transfer \(resuming from step \d+\)/);
  assert.deepEqual(tables(dir), tables(join(root, 'ws-ref')));
  const after = Workspace.open(dir, { readonly: true });
  try {
    assert.ok(checkWorkspace(after).ok);
    assert.ok(after.runs.list().filter((r) => r.name?.startsWith('tiny/')).every((r) => r.status === 'done'));
    assert.equal(after.runs.list({ kind: 'experiment' })[0]!.status, 'done');
  } finally {
    after.close();
  }
});
