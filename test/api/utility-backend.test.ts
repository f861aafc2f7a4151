// The shell's Backend in a packaged app (RunAsNode fuse off): the backend is an Electron utility
// process, calls and events go over its parent port, and its job-spawn requests start job utility
// processes. Driven over fakes of Electron's utilityProcess (test/jobs/fake-electron.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backend } from '../../electron/main/backend';
import { FakeProcesses } from '../jobs/fake-electron';

const tick = () => new Promise((r) => setImmediate(r));

test('a packaged backend runs as a utility process: ready, calls, job processes, stop', async () => {
  const processes = new FakeProcesses();
  const backend = new Backend({ appRoot: '/app', resourcesDir: '/res', workspaceDir: '/ws', utility: processes });
  const child = processes.children[0]!;
  assert.equal(child.modulePath, '/app/main/api/backend-process.ts');
  assert.deepEqual(child.options.execArgv, ['--import', 'tsx']);
  assert.equal(child.options.cwd, '/app');
  assert.equal(child.options.env['LONTAR_RESOURCES'], '/res');
  assert.equal(child.options.env['LONTAR_BACKEND_WORKSPACE'], '/ws');
  assert.equal(child.options.env['ELECTRON_RUN_AS_NODE'], undefined);

  child.emit('message', { type: 'ready', workspaceDir: '/ws' });
  assert.deepEqual(await backend.ready, { ok: true, workspaceDir: '/ws' });
  const result = backend.call('app.info', {});
  assert.deepEqual(child.received.at(-1), { type: 'call', id: 1, method: 'app.info', payload: {} });
  child.emit('message', { type: 'result', id: 1, result: { ok: true, value: 42 } });
  assert.deepEqual(await result, { ok: true, value: 42 });

  // The backend asks for a job process: the shell starts it and hands the backend a port to it.
  child.emit('message', { type: 'job-spawn', handle: 1 });
  const job = processes.children[1]!;
  assert.equal(job.modulePath, '/app/main/jobs/host/main.ts');
  assert.equal(job.options.env['LONTAR_RESOURCES'], '/res', 'jobs see what the backend sees');
  await tick();
  await tick();
  assert.deepEqual(job.received, [{ type: 'owner-port' }]);
  assert.deepEqual(child.received.at(-1), { type: 'job-spawned', handle: 1, pid: job.pid });

  const stopped = backend.stop();
  assert.deepEqual(child.received.at(-1), { type: 'shutdown' });
  child.exit(0);
  await stopped;
  assert.equal(job.killed, true, "the backend's jobs do not outlive it");
  assert.deepEqual(await backend.call('app.info', {}), { ok: false, error: { code: 'unavailable', message: 'the backend process is not running; restart Lontar' } });
});

test('a utility backend that ends before it is ready reports why, with its last stderr line', async () => {
  const processes = new FakeProcesses();
  const backend = new Backend({ appRoot: '/app', resourcesDir: '/res', utility: processes });
  const child = processes.children[0]!;
  child.stderr.write('Error: Cannot find package tsx\n');
  await tick();
  child.exit(1);
  assert.deepEqual(await backend.ready, { ok: false, message: 'the backend process ended (exit code 1): Error: Cannot find package tsx' });
});
