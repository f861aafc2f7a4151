// Content-addressed blobs: named by their sha256, stored once, written atomically (a process
// killed mid-write leaves only a partial in tmp/, never a wrong file under a real name), and
// checked by `workspace check`.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkWorkspace, Workspace } from '../../main/store/index';
import { finished, spawnTs, tempDir, waitForOutput } from './helpers';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('put stores bytes under their sha256 once, and records them', (t) => {
  const ws = Workspace.open(tempDir(t), { create: true });
  t.after(() => ws.close());
  const data = randomBytes(10_000);
  const ref = ws.blobs.put(data, 'application/octet-stream');
  assert.deepEqual(ref, { hash: sha(data), size: 10_000 });
  assert.ok(ws.blobs.pathOf(ref.hash).endsWith(join('blobs', ref.hash.slice(0, 2), ref.hash)));
  assert.deepEqual(ws.blobs.read(ref.hash), data);
  assert.deepEqual(ws.blobs.put(data), ref, 'same bytes, same blob');
  assert.equal(ws.blobs.records().length, 1);
  assert.equal(ws.blobs.records()[0]!.mediaType, 'application/octet-stream');
  assert.deepEqual(ws.blobs.partials(), []);
  assert.throws(() => ws.blobs.pathOf('../../etc/passwd'), /not a blob hash/);
});

test('putFile streams a file in and gives the same hash as put', (t) => {
  const dir = tempDir(t);
  const ws = Workspace.open(join(dir, 'ws'), { create: true });
  t.after(() => ws.close());
  const data = randomBytes(3 * (1 << 20) + 123); // several read chunks
  writeFileSync(join(dir, 'weights.bin'), data);
  const ref = ws.blobs.putFile(join(dir, 'weights.bin'));
  assert.equal(ref.hash, sha(data));
  assert.equal(ref.size, data.length);
  assert.equal(ws.blobs.verify(ref.hash), 'ok');
  assert.deepEqual(ws.blobs.putFile(join(dir, 'weights.bin')), ref);
  assert.deepEqual(ws.blobs.partials(), [], 'the duplicate copy was removed');
});

test('workspace check finds corrupt, missing and unrecorded blobs', (t) => {
  const ws = Workspace.open(tempDir(t), { create: true });
  t.after(() => ws.close());
  const a = ws.blobs.put(Buffer.from('checkpoint a'));
  const b = ws.blobs.put(Buffer.from('checkpoint b'));
  const c = ws.blobs.put(Buffer.from('checkpoint c'));
  assert.equal(checkWorkspace(ws).ok, true);

  const bytes = readFileSync(ws.blobs.pathOf(a.hash));
  bytes[0] = bytes[0]! ^ 0xff; // same size, different content: only re-hashing notices
  writeFileSync(ws.blobs.pathOf(a.hash), bytes);
  rmSync(ws.blobs.pathOf(b.hash));
  const stray = randomBytes(64);
  mkdirSync(join(ws.blobs.dir, sha(stray).slice(0, 2)), { recursive: true });
  writeFileSync(join(ws.blobs.dir, sha(stray).slice(0, 2), sha(stray)), stray);

  const full = checkWorkspace(ws, 'hash');
  assert.equal(full.ok, false);
  assert.deepEqual(full.blobs.corrupt, [a.hash]);
  assert.deepEqual(full.blobs.missing, [b.hash]);
  assert.deepEqual(full.blobs.unrecorded, [sha(stray)]);
  const quick = checkWorkspace(ws, 'size');
  assert.deepEqual(quick.blobs.corrupt, [], 'a size check cannot see a flipped byte');
  assert.deepEqual(quick.blobs.missing, [b.hash]);
  assert.equal(ws.blobs.verify(c.hash), 'ok');
});

test('partial writes left in tmp/ are reported and cleared at the next writable open', (t) => {
  const dir = tempDir(t);
  Workspace.open(dir, { create: true }).close();
  mkdirSync(join(dir, 'blobs', 'tmp'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'tmp', 'abc.123.def.partial'), 'half a checkpoint');
  const ro = Workspace.open(dir, { readonly: true });
  assert.deepEqual(checkWorkspace(ro).blobs.partials, ['abc.123.def.partial']);
  ro.close();
  const ws = Workspace.open(dir);
  assert.deepEqual(ws.blobs.partials(), []);
  ws.close();
});

/** Makes fs.writeSync fail with ENOSPC once `budget` bytes were written, for the duration of `fn`. */
function withDiskFullAfter(budget: number, fn: () => void): void {
  const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
  const real = fs.writeSync;
  let written = 0;
  fs.writeSync = ((fd: number, buffer: Uint8Array, offset?: number, length?: number, position?: number | null) => {
    const n = Math.min(length ?? buffer.length, 65536);
    if (written + n > budget) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    written += n;
    return real(fd, buffer, offset, n, position);
  }) as typeof fs.writeSync;
  syncBuiltinESMExports();
  try {
    fn();
  } finally {
    fs.writeSync = real;
    syncBuiltinESMExports();
  }
}

test('a write that fails midway (disk full) leaves nothing under the blob name and no row', (t) => {
  const dir = tempDir(t);
  const ws = Workspace.open(join(dir, 'ws'), { create: true });
  t.after(() => ws.close());
  const data = randomBytes(1 << 20);
  writeFileSync(join(dir, 'big.bin'), data);
  withDiskFullAfter(300_000, () => assert.throws(() => ws.blobs.put(data), /ENOSPC/));
  assert.equal(ws.blobs.has(sha(data)), false, 'no half-written file under the real name');
  withDiskFullAfter(300_000, () => assert.throws(() => ws.blobs.putFile(join(dir, 'big.bin')), /ENOSPC/));
  assert.equal(ws.blobs.has(sha(data)), false);
  assert.deepEqual(ws.blobs.records(), []);
  assert.equal(checkWorkspace(ws).ok, true);
  assert.ok(ws.blobs.partials().length >= 1, 'the partial stays in tmp/ until the next writable open');
  assert.deepEqual(ws.blobs.put(data), { hash: sha(data), size: data.length }, 'with space again, the write succeeds');
  assert.equal(ws.blobs.verify(sha(data)), 'ok');
});

test('a process killed while writing blobs never leaves a wrong file under a blob name', async (t) => {
  const dir = tempDir(t);
  Workspace.open(dir, { create: true }).close();
  const child = spawnTs(join('test', 'store', 'children', 'workspace-child.ts'), ['blobs', dir]);
  const exit = finished(child);
  await waitForOutput(child, 'BLOB ');
  await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 200)));
  child.kill('SIGKILL');
  assert.equal((await exit).signal, 'SIGKILL');

  const ws = Workspace.open(dir);
  t.after(() => ws.close());
  const files = ws.blobs.filesOnDisk();
  assert.ok(files.length >= 1);
  for (const hash of files) assert.equal(sha(readFileSync(ws.blobs.pathOf(hash))), hash, `blob ${hash} is whole`);
  const report = checkWorkspace(ws);
  assert.equal(report.ok, true, JSON.stringify(report.blobs));
  assert.ok(report.blobs.unrecorded.length <= 1, 'at most the blob in flight lacks its row');
  assert.deepEqual(report.blobs.partials, [], 'partials were cleared on open');
});
