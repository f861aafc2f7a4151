// `lontar workspace init|check|backup`: exit codes and output, including the clear error when the
// workspace is in use and a check that finds damage.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LATEST_SCHEMA_VERSION, Workspace } from '../../main/store/index';
import { lontar } from './cli-helpers';
import { tempDir } from './helpers';

test('workspace init, check and backup', async (t) => {
  const root = tempDir(t);
  const dir = join(root, 'ws');
  const init = await lontar('workspace', 'init', dir);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, new RegExp(`workspace .*ws created \\(schema version ${LATEST_SCHEMA_VERSION}\\)`));
  assert.match((await lontar('workspace', 'init', dir)).stdout, /is up to date/);

  const check = await lontar('workspace', 'check', dir, '--json');
  assert.equal(check.code, 0, check.stderr);
  assert.equal(JSON.parse(check.stdout).ok, true);

  const backup = await lontar('workspace', 'backup', dir, '--to', join(root, 'copy'));
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, /backed up .* to .*copy: database \d+ bytes, 0 blob\(s\)/);
  assert.equal((await lontar('workspace', 'check', join(root, 'copy'))).code, 0);
});

test('check works while the workspace is in use, and exits 1 when it finds damage', async (t) => {
  const dir = tempDir(t);
  const ws = Workspace.open(dir, { create: true });
  t.after(() => ws.close());
  const blob = ws.blobs.put(Buffer.from('checkpoint'));
  assert.equal((await lontar('workspace', 'check', dir)).code, 0, 'read-only: no lock needed');
  rmSync(ws.blobs.pathOf(blob.hash));
  const damaged = await lontar('workspace', 'check', dir);
  assert.equal(damaged.code, 1);
  assert.match(damaged.stdout, /PROBLEMS FOUND[\s\S]*missing: [0-9a-f]{64}/);
  const init = await lontar('workspace', 'init', dir);
  assert.equal(init.code, 3);
  assert.match(init.stderr, /^lontar: workspace in use: /);
});

test('workspace commands say clearly when there is no workspace', async (t) => {
  const missing = join(tempDir(t), 'nothing-here');
  const r = await lontar('workspace', 'check', missing);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /no workspace at .*nothing-here.*lontar workspace init/);
});
