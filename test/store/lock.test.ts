// The writer lock: a second opener, in this process or another, gets a clear "workspace in use"
// error and changes nothing; read-only opens work alongside the writer; a writer killed with
// SIGKILL leaves no stale lock and no damage.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkWorkspace, Workspace, WorkspaceInUseError } from '../../main/store/index';
import { finished, spawnTs, tempDir, waitForOutput } from './helpers';

const CHILD = join('test', 'store', 'children', 'workspace-child.ts');

test('a second writable open in the same process is refused, read-only is allowed', (t) => {
  const dir = tempDir(t);
  const ws = Workspace.open(dir, { create: true });
  assert.throws(
    () => Workspace.open(dir),
    (e: unknown) => e instanceof WorkspaceInUseError && /^workspace in use: /.test(e.message) && e.message.includes(`pid ${process.pid}`),
  );
  const ro = Workspace.open(dir, { readonly: true });
  assert.equal(ro.readonly, true);
  assert.throws(() => ro.runs.create({ kind: 'x', config: {}, seed: 1 }), /readonly/);
  assert.throws(() => ro.blobs.put(Buffer.from('x')), /read-only/);
  ro.close();
  ws.runs.create({ kind: 'x', config: {}, seed: 1 }); // the writer is unaffected
  ws.close();
  Workspace.open(dir).close(); // released on close
});

test('another process gets "workspace in use" while we hold it, and can read it read-only', async (t) => {
  const dir = tempDir(t);
  const ws = Workspace.open(dir, { create: true });
  ws.datasets.create({ name: 'd', task: 'classification', labels: ['a', 'b'], format: 'csv', sourcePath: '-', sourceHash: 'h', sourceFiles: [], licence: null });
  try {
    const refused = await finished(spawnTs(CHILD, ['open', dir]));
    assert.equal(refused.code, 3, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /WorkspaceInUseError: workspace in use: .* open for writing by another Lontar process \(pid \d+ on /);
    const reader = await finished(spawnTs(CHILD, ['read', dir]));
    assert.equal(reader.code, 0, reader.stdout + reader.stderr);
    assert.match(reader.stdout, /DATASETS 1/);
    // our connection still works and the file is sound
    ws.datasets.create({ name: 'e', task: 'classification', labels: ['a', 'b'], format: 'csv', sourcePath: '-', sourceHash: 'h', sourceFiles: [], licence: null });
    assert.equal(checkWorkspace(ws).ok, true);
  } finally {
    ws.close();
  }
  const after = await finished(spawnTs(CHILD, ['open', dir]));
  assert.equal(after.code, 0, after.stdout + after.stderr);
  assert.match(after.stdout, /OPENED/);
});

test('a writer killed with SIGKILL mid-write leaves no stale lock and an intact database', async (t) => {
  const dir = tempDir(t);
  Workspace.open(dir, { create: true }).close();
  const child = spawnTs(CHILD, ['hold', dir]);
  const exit = finished(child);
  await waitForOutput(child, 'HOLDING');
  assert.throws(() => Workspace.open(dir), WorkspaceInUseError);
  await new Promise((r) => setTimeout(r, 150)); // let it commit more runs mid-loop
  child.kill('SIGKILL');
  assert.equal((await exit).signal, 'SIGKILL');

  const ws = Workspace.open(dir); // the OS released the lock with the process
  try {
    const report = checkWorkspace(ws);
    assert.equal(report.ok, true, JSON.stringify(report));
    const runs = ws.runs.list();
    assert.ok(runs.length >= 1);
    // every committed run is complete: finished runs have their metric; at most the last is mid-way
    const incomplete = runs.filter((r) => r.status !== 'done');
    assert.ok(incomplete.length <= 1, `${incomplete.length} unfinished runs`);
    for (const r of runs.filter((x) => x.status === 'done')) assert.equal(ws.metrics.series(r.id, 'loss').length, 1);
  } finally {
    ws.close();
  }
});
