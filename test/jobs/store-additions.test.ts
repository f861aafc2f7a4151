// What the job runner added to the store: adopting a file a job process wrote into blobs/tmp (a
// rename, no copy) and interrupting one running job with a reason.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Workspace } from '../../main/store/index';
import { tempDir } from './helpers';

test('adoptFile moves a tmp file in under its hash, drops a duplicate, and refuses files elsewhere', (t) => {
  const dir = tempDir(t);
  const ws = Workspace.open(dir, { create: true });
  t.after(() => ws.close());
  mkdirSync(ws.blobs.tmpDir, { recursive: true });
  const bytes = Buffer.from('checkpoint bytes');
  const hash = createHash('sha256').update(bytes).digest('hex');
  const first = join(ws.blobs.tmpDir, 'a.partial');
  writeFileSync(first, bytes);
  assert.deepEqual(ws.blobs.adoptFile(first, 'application/x-test'), { hash, size: bytes.length });
  assert.ok(!existsSync(first));
  assert.equal(ws.blobs.verify(hash), 'ok');
  assert.equal(ws.blobs.records().find((r) => r.hash === hash)?.mediaType, 'application/x-test');

  const again = join(ws.blobs.tmpDir, 'b.partial');
  writeFileSync(again, bytes);
  assert.equal(ws.blobs.adoptFile(again).hash, hash);
  assert.ok(!existsSync(again), 'the duplicate is removed');
  assert.deepEqual(ws.blobs.partials(), []);

  const outside = join(dir, 'elsewhere.bin');
  writeFileSync(outside, bytes);
  assert.throws(() => ws.blobs.adoptFile(outside), /only files in .* can be adopted/);
});

test('interrupt ends one running job with its reason; it can then be requeued, and only running jobs qualify', (t) => {
  const ws = Workspace.open(tempDir(t), { create: true });
  t.after(() => ws.close());
  const job = ws.jobs.enqueue({ kind: 'k' });
  assert.throws(() => ws.jobs.interrupt(job.id, 'why'), /queued; it cannot become interrupted/);
  ws.jobs.claimNext('cpu');
  const interrupted = ws.jobs.interrupt(job.id, 'the job process ended unexpectedly (signal SIGSEGV)');
  assert.equal(interrupted.status, 'interrupted');
  assert.equal(interrupted.error, 'the job process ended unexpectedly (signal SIGSEGV)');
  assert.equal(ws.jobs.requeue(job.id).status, 'queued');
  assert.equal(ws.jobs.claimNext('cpu')?.error, null, 'a new attempt starts without the old error');
});
