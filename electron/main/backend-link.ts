// How the shell starts the backend process (main/api/backend-process.ts) and talks to it. In a
// checkout: child_process.fork on the system's Node (whose ABI `npm install` built the native
// modules for), over Node's IPC channel, exactly as the CLI and tests run it. In a packaged app the
// RunAsNode fuse is off (electron-builder.yml), so Electron's binary cannot act as Node: the backend
// is an Electron utility process (Electron's Node, native modules rebuilt for Electron at packaging
// time) that talks over its parent port, and its job processes are started here too (job-host.ts).

import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { FromBackend, ToBackend } from '../../main/api/contract/backend-messages';
import { JobHost } from './job-host';
import type { UtilityProcesses } from './utility-processes';

export interface BackendStart {
  /** The folder holding main/ and node_modules (app.asar.unpacked when packaged; see paths.ts). */
  appRoot: string;
  env: Record<string, string>;
}

export interface LinkEvents {
  message(message: FromBackend): void;
  /** It could not be started at all (no 'exit' follows). */
  startFailed(message: string): void;
  /** It ended: 'exit code N' or 'signal S'. */
  exited(how: string): void;
}

export interface BackendLink {
  readonly stderr: NodeJS.ReadableStream | null;
  /** Whether messages can reach it. */
  readonly connected: boolean;
  readonly ended: boolean;
  send(message: ToBackend): void;
  /** Ends it at once (the stop grace period is over). */
  kill(): void;
}

const entry = (appRoot: string) => join(appRoot, 'main', 'api', 'backend-process.ts');

/** The checkout: the system's Node ($LONTAR_NODE, else `node` on PATH) running the backend through tsx. */
export function forkedBackend(start: BackendStart, events: LinkEvents): BackendLink {
  const node = process.env['LONTAR_NODE'] ?? 'node';
  const child = fork(entry(start.appRoot), [], {
    cwd: start.appRoot,
    execPath: node,
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: start.env,
  });
  child.on('message', (m: FromBackend) => events.message(m));
  child.on('error', (e) => {
    if (child.pid !== undefined) return; // only a failed start lands here without an exit
    events.startFailed(`could not start the backend with "${node}": ${e.message}. Set LONTAR_NODE to a Node.js 20.19 (or newer) binary.`);
  });
  child.on('exit', (code, signal) => events.exited(signal ?? `exit code ${code}`));
  return {
    stderr: child.stderr,
    get connected() {
      return child.connected;
    },
    get ended() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    send: (message) => void child.send(message),
    kill: () => void child.kill('SIGKILL'),
  };
}

/** The packaged app: a utility process on Electron's own Node; it asks for its job processes. */
export function utilityBackend(start: BackendStart, processes: UtilityProcesses, events: LinkEvents): BackendLink {
  const child = processes.fork(entry(start.appRoot), [], {
    cwd: start.appRoot,
    env: start.env,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'pipe'],
    serviceName: 'Lontar backend',
  });
  let ended = false;
  const jobs = new JobHost({
    processes,
    entry: join(start.appRoot, 'main', 'jobs', 'host', 'main.ts'),
    cwd: start.appRoot,
    env: start.env,
    post: (message, transfer) => !ended && child.postMessage(message, transfer),
  });
  child.on('message', (m: FromBackend) => jobs.receive(m) || events.message(m));
  child.once('exit', (code) => {
    ended = true;
    jobs.killAll();
    events.exited(`exit code ${code}`);
  });
  return {
    stderr: child.stderr,
    get connected() {
      return !ended;
    },
    get ended() {
      return ended;
    },
    send: (message) => void (!ended && child.postMessage(message)),
    kill: () => processes.killHard(child),
  };
}
