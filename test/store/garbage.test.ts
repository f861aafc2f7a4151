// Blob garbage collection: superseded and finished-job checkpoints and crash leftovers go; whatever a
// row references (a run's output, a running job's newest checkpoint) stays, and a dry run deletes nothing.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { blobReferences, collectGarbage, Workspace } from '../../main/store/index';
import { tempDir } from './helpers';

function scene(t: { after: (fn: () => void) => void }) {
  const ws = Workspace.open(join(tempDir(t), 'ws'), { create: true });
  t.after(() => ws.close());
  const blob = (text: string) => ws.blobs.put(new TextEncoder().encode(text)).hash;
  const run = ws.runs.create({ kind: 'transfer', config: {}, seed: 1 });
  const output = blob('the run output');
  ws.runs.start(run.id);
  ws.runs.finish(run.id, 'done', { outputBlob: output });

  const running = ws.jobs.enqueue({ kind: 'transfer' });
  ws.jobs.claimNext('cpu');
  const superseded = blob('checkpoint at step 10');
  const newest = blob('checkpoint at step 20');
  ws.jobs.recordCheckpoint(running.id, superseded, 10);
  ws.jobs.recordCheckpoint(running.id, newest, 20);

  const finished = ws.jobs.enqueue({ kind: 'transfer' });
  ws.jobs.claimNext('cpu');
  const finishedCheckpoint = blob('checkpoint of a finished job');
  ws.jobs.recordCheckpoint(finished.id, finishedCheckpoint, 5);
  ws.jobs.finish(finished.id, 'done');

  const stray = 'ab'.padEnd(64, '0'); // a file a crash left without its row
  mkdirSync(dirname(ws.blobs.pathOf(stray)), { recursive: true });
  writeFileSync(ws.blobs.pathOf(stray), 'orphan');
  return { ws, output, superseded, newest, finishedCheckpoint, stray, finished };
}

test('the references are read from the schema', (t) => {
  const { ws } = scene(t);
  const refs = blobReferences(ws).map((r) => `${r.table}.${r.column}`);
  for (const expected of ['runs.output_blob', 'jobs.checkpoint_blob', 'exports.blob_hash']) assert.ok(refs.includes(expected), refs.join(' '));
});

test('gc deletes superseded and finished checkpoints and orphans, keeps what is referenced; a dry run deletes nothing', (t) => {
  const { ws, output, superseded, newest, finishedCheckpoint, stray, finished } = scene(t);
  const dry = collectGarbage(ws, { dryRun: true });
  assert.deepEqual(new Set(dry.unreferenced), new Set([superseded, finishedCheckpoint]));
  assert.deepEqual(dry.unrecorded, [stray]);
  assert.ok(existsSync(ws.blobs.pathOf(superseded)) && existsSync(ws.blobs.pathOf(stray)));
  assert.equal(ws.jobs.get(finished.id)!.checkpointBlob, finishedCheckpoint);

  const done = collectGarbage(ws);
  assert.equal(done.bytes, dry.bytes);
  assert.equal(done.bytes, 'checkpoint at step 10'.length + 'checkpoint of a finished job'.length + 'orphan'.length);
  for (const gone of [superseded, finishedCheckpoint, stray]) assert.equal(existsSync(ws.blobs.pathOf(gone)), false);
  for (const kept of [output, newest]) assert.equal(ws.blobs.verify(kept), 'ok');
  assert.equal(ws.jobs.get(finished.id)!.checkpointBlob, null);
  assert.deepEqual(ws.blobs.records().map((b) => b.hash).sort(), [output, newest].sort());
  assert.deepEqual(ws.db.pragma('foreign_key_check'), []);
  assert.deepEqual(collectGarbage(ws).unreferenced, []);
});
