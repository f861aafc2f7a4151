// The desktop app's backend process, driven the way the Electron shell drives it (fork with an IPC
// channel, calls in, results and events out, shutdown at quit) — so the shell's other half is tested
// even where the Electron binary is absent.

import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FromBackend, ToBackend } from '../../main/api/contract/backend-messages';
import type { AppInfo } from '../../main/api/contract/index';
import { Workspace } from '../../main/store/index';
import { REPO, tempDir } from '../store/helpers';

test('the backend answers calls, streams events and releases the workspace when asked to stop', async (t) => {
  const dir = tempDir(t, 'lontar-backend-');
  const workspace = join(dir, 'workspace');
  const child = fork(join(REPO, 'main', 'api', 'backend-process.ts'), [], {
    cwd: REPO,
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, LONTAR_BACKEND_WORKSPACE: workspace },
  });
  t.after(() => child.kill('SIGKILL'));
  const messages: FromBackend[] = [];
  const waiters: (() => void)[] = [];
  child.on('message', (m: FromBackend) => {
    messages.push(m);
    waiters.splice(0).forEach((w) => w());
  });
  const next = async (match: (m: FromBackend) => boolean): Promise<FromBackend> => {
    for (;;) {
      const found = messages.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  let id = 0;
  const call = async (method: string, payload: unknown) => {
    const callId = ++id;
    child.send({ type: 'call', id: callId, method, payload } satisfies ToBackend);
    const m = await next((x) => x.type === 'result' && x.id === callId);
    return (m as Extract<FromBackend, { type: 'result' }>).result;
  };

  assert.deepEqual(await next((m) => m.type === 'ready' || m.type === 'fatal'), { type: 'ready', workspaceDir: workspace });
  const info = await call('app.info', {});
  assert.ok(info.ok);
  const app = info.value as AppInfo;
  assert.deepEqual([app.host, app.nativeDialogs], ['desktop', true]);
  const invalid = await call('jobs.cancel', { id: 'all' });
  assert.ok(!invalid.ok && invalid.error.code === 'invalid-request');
  const dialog = await call('dialogs.choosePath', { purpose: 'model-folder' });
  assert.ok(!dialog.ok && dialog.error.code === 'unavailable', 'the shell answers dialogs, never the backend');

  const other = join(dir, 'other');
  assert.ok((await call('workspace.open', { dir: other })).ok);
  const event = await next((m) => m.type === 'event' && m.event.type === 'workspace-changed');
  assert.equal((event as Extract<FromBackend, { type: 'event' }>).event.type, 'workspace-changed');

  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.send({ type: 'shutdown' } satisfies ToBackend);
  assert.equal(await exited, 0);
  Workspace.open(other).close(); // the lock was released
});

test('a backend that cannot open its workspace says why instead of starting', async (t) => {
  const dir = tempDir(t, 'lontar-backend-');
  const held = Workspace.open(join(dir, 'workspace'), { create: true });
  t.after(() => held.close());
  const child = fork(join(REPO, 'main', 'api', 'backend-process.ts'), [], {
    cwd: REPO,
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, LONTAR_BACKEND_WORKSPACE: join(dir, 'workspace') },
  });
  const first = await new Promise<FromBackend>((resolve) => child.once('message', resolve));
  assert.equal(first.type, 'fatal');
  assert.match((first as { message: string }).message, /^workspace in use: .* is open for writing by another Lontar process/);
  assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 1);
});
