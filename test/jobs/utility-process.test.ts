// Job processes in a packaged app (RunAsNode fuse off): the backend asks the shell to start each job
// as a utility process, the shell hands both a port, and the job's messages go straight to the
// backend. The real pieces (the backend's spawner and PortJobChild, the runner's JobProcess, the
// shell's JobHost, the job's port transport and OwnerChannel) run here over in-memory fakes of
// Electron's utilityProcess and MessageChannelMain (fake-electron.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobHost } from '../../electron/main/job-host';
import type { FromBackend, ToBackend } from '../../main/api/contract/backend-messages';
import { parentPortChannel, shellChannel, shellJobSpawner } from '../../main/api/shell-channel';
import { OwnerChannel } from '../../main/jobs/host/owner-channel';
import { portTransport } from '../../main/jobs/host/owner-transport';
import { JobProcess, type JobProcessListener } from '../../main/jobs/job-process';
import type { StartJob } from '../../main/jobs/protocol';
import { FakeParentPort, FakeProcesses, type FakePort, type FakeUtilityChild } from './fake-electron';

const START: StartJob = {
  type: 'start',
  job: { id: 7, runId: 3, kind: 'demo', device: 'cpu' },
  config: { steps: 2 },
  seed: 1,
  kindsModule: 'file:///kinds.ts',
  workspaceDir: '/ws',
  blobTmpDir: '/ws/blobs/tmp',
  checkpointEvery: 0,
};

/** The backend's spawner wired to a shell JobHost the way the parent port wires them. */
function wire() {
  const processes = new FakeProcesses();
  const toShell: FromBackend[] = [];
  let host: JobHost;
  const jobs = shellJobSpawner((m) => {
    toShell.push(m);
    setImmediate(() => host.receive(structuredClone(m)));
  });
  host = new JobHost({
    processes,
    entry: '/app/main/jobs/host/main.ts',
    cwd: '/app',
    env: { LONTAR_RESOURCES: '/res' },
    post: (m: ToBackend, transfer = []) => setImmediate(() => jobs.receive(structuredClone(m), transfer as FakePort[])),
  });
  return { processes, jobs, toShell };
}

function recorder() {
  const seen = { ready: [] as number[], logs: [] as string[], calls: [] as unknown[] };
  const listener: JobProcessListener = {
    ready: (info) => void seen.ready.push(info.pid),
    progress: () => undefined,
    metrics: () => undefined,
    log: (m) => void seen.logs.push(m),
    call: (c) => (seen.calls.push(c), { blob: 'abc' }),
  };
  return { seen, listener };
}

const until = async (ok: () => unknown) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(ok(), 'timed out');
};

test('a job started through the shell gets its start, answers, logs and outcome over its own port', async () => {
  const { processes, jobs } = wire();
  const { seen, listener } = recorder();
  const job = new JobProcess(jobs.spawn(), listener);
  job.start(START); // sent before the shell has even started the process: it waits for the port
  await until(() => processes.children.length === 1);
  const child = processes.children[0]!;
  assert.equal(child.modulePath, '/app/main/jobs/host/main.ts');
  assert.deepEqual(child.options.execArgv, ['--import', 'tsx']);
  assert.equal(child.options.env['LONTAR_RESOURCES'], '/res');

  // The job's side: the real transport and channel on the child's parent port.
  const started: StartJob[] = [];
  const channel = new OwnerChannel(portTransport(child.parentPort), (s) => void started.push(s), () => undefined);
  await until(() => started.length === 1);
  assert.deepEqual(started[0], START);
  await channel.send({ type: 'ready', pid: child.pid!, provider: { provider: 'cpu', reason: 'test', libraryDir: '/ort' }, resumedFromStep: null });
  const answer = await channel.call({ method: 'adoptBlob', path: '/ws/blobs/tmp/x', mediaType: 'application/octet-stream' });
  assert.deepEqual(answer, { blob: 'abc' }, 'the owner answered over the port');
  child.stdout.write('step 1 of 2\n');
  await channel.send({ type: 'finished', outcome: { status: 'done', result: {} } });
  child.exit(0);

  assert.deepEqual(await job.ended, { reported: { status: 'done', result: {} } });
  assert.equal(job.pid, child.pid);
  assert.deepEqual(seen.ready, [child.pid]);
  assert.deepEqual(seen.logs, ['step 1 of 2']);
  assert.equal(seen.calls.length, 1);
});

test('a cancel that is not honoured ends the job with SIGKILL through the shell', async () => {
  const { processes, jobs, toShell } = wire();
  const job = new JobProcess(jobs.spawn(), recorder().listener);
  job.start(START);
  await until(() => processes.children[0]?.received.length === 1);
  await until(() => job.pid !== undefined);
  job.kill(); // the runner's grace period is over; SIGTERM (child.kill()) would be ignored
  const end = await job.ended;
  assert.ok(toShell.some((m) => m.type === 'job-kill'));
  assert.equal((processes.children[0] as FakeUtilityChild).killed, true, 'killed hard (SIGKILL), not child.kill()');
  assert.ok('exited' in end && end.exited.signal === 'SIGKILL', JSON.stringify(end));
});

test('a job that dies writing to stderr is reported with its last line; one the shell cannot start fails', async () => {
  const { processes, jobs } = wire();
  const job = new JobProcess(jobs.spawn(), recorder().listener);
  await until(() => processes.children.length === 1);
  const child = processes.children[0]!;
  child.stderr.write('Error: out of memory\n');
  child.exit(134);
  const end = await job.ended;
  assert.ok('exited' in end && end.exited.code === 134 && end.exited.stderr === 'Error: out of memory', JSON.stringify(end));

  processes.failNextFork = 'no such helper';
  const failed = await new JobProcess(jobs.spawn(), recorder().listener).ended;
  assert.ok('exited' in failed && /could not start a job process: no such helper/.test(failed.exited.stderr), JSON.stringify(failed));
});

test("the backend's channel: a parent port when there is one (job messages routed to their jobs), else Node IPC", async () => {
  const parent = new FakeParentPort();
  const shell = parentPortChannel(parent);
  assert.ok(shell.spawn, 'a utility-process backend starts its jobs through the shell');
  const got: ToBackend[] = [];
  shell.onMessage((m) => void got.push(m));
  shell.send({ type: 'ready', workspaceDir: '/ws' });
  parent.emit('message', { data: { type: 'call', id: 1, method: 'app.info', payload: {} }, ports: [] });
  const child = shell.spawn();
  parent.emit('message', { data: { type: 'job-exit', handle: 1, code: 1 }, ports: [] });
  assert.deepEqual(got, [{ type: 'call', id: 1, method: 'app.info', payload: {} }], 'job messages do not reach the service');
  assert.equal(child.exitCode, 1);
  assert.deepEqual(parent.sent, [{ type: 'ready', workspaceDir: '/ws' }, { type: 'job-spawn', handle: 1 }]);

  assert.equal(shellChannel({ send: () => true, on: () => undefined } as unknown as NodeJS.Process)?.spawn, undefined, 'IPC: the default fork');
  assert.equal(shellChannel({} as NodeJS.Process), null);
});
