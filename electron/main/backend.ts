// The shell's handle on the backend process (main/api/backend-process.ts): starts it, forwards calls
// and returns their results, relays API events, and stops it at quit. In a checkout it runs on the
// system's Node (whose ABI the native modules were built for by `npm install`); a packaged app runs
// it on Electron's own Node (ELECTRON_RUN_AS_NODE), with native modules rebuilt for Electron.

import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FromBackend, ToBackend } from '../../main/api/contract/backend-messages';
import type { ApiEvent, ApiResult } from '../../main/api/contract/index';

export interface BackendOptions {
  /** The folder holding main/ and node_modules (app.asar.unpacked when packaged; see paths.ts). */
  appRoot: string;
  /** The bundled demo model and data (LONTAR_RESOURCES for the backend). */
  resourcesDir: string;
  /** Default: the backend resolves it ($LONTAR_WORKSPACE, else the per-user data folder). */
  workspaceDir?: string;
  packaged: boolean;
}

/** How long a quitting backend may take to checkpoint its jobs before it is killed. */
const STOP_GRACE_MS = 40_000;

export class Backend {
  readonly ready: Promise<{ ok: true; workspaceDir: string } | { ok: false; message: string }>;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (result: ApiResult<unknown>) => void>();
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private nextId = 1;
  private stderr = '';

  constructor(options: BackendOptions) {
    const node = options.packaged ? process.execPath : (process.env['LONTAR_NODE'] ?? 'node');
    this.child = fork(join(options.appRoot, 'main', 'api', 'backend-process.ts'), [], {
      cwd: options.appRoot,
      execPath: node,
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      env: {
        ...process.env,
        LONTAR_RESOURCES: options.resourcesDir,
        ...(options.workspaceDir !== undefined && { LONTAR_BACKEND_WORKSPACE: options.workspaceDir }),
        ...(options.packaged && { ELECTRON_RUN_AS_NODE: '1' }),
      },
    });
    this.child.stderr?.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString('utf8')).slice(-4000);
      process.stderr.write(b);
    });
    this.ready = new Promise((resolve) => {
      this.child.on('message', (m: FromBackend) => {
        if (m.type === 'ready') resolve({ ok: true, workspaceDir: m.workspaceDir });
        else if (m.type === 'fatal') resolve({ ok: false, message: m.message });
        else if (m.type === 'result') this.settle(m.id, m.result);
        else for (const l of this.listeners) l(m.event);
      });
      this.child.on('error', (e) => {
        if (this.child.pid !== undefined) return; // only a failed start lands here without an exit
        resolve({ ok: false, message: `could not start the backend with "${node}": ${e.message}. Set LONTAR_NODE to a Node.js 20.19 (or newer) binary.` });
      });
      this.child.on('exit', (code, signal) => {
        const why = this.stderr.trim().split('\n').pop() ?? '';
        resolve({ ok: false, message: `the backend process ended (${signal ?? `exit code ${code}`})${why ? `: ${why}` : ''}` });
        for (const id of [...this.pending.keys()]) this.settle(id, { ok: false, error: { code: 'unavailable', message: 'the backend process ended; restart Lontar' } });
      });
    });
  }

  call(method: string, payload: unknown): Promise<ApiResult<unknown>> {
    if (!this.child.connected) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'the backend process is not running; restart Lontar' } });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ type: 'call', id, method, payload } satisfies ToBackend);
    });
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the backend to checkpoint running jobs and close the workspace; kills it after a grace period. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ type: 'shutdown' } satisfies ToBackend);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private settle(id: number, result: ApiResult<unknown>): void {
    this.pending.get(id)?.(result);
    this.pending.delete(id);
  }
}
