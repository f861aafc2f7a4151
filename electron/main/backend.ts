// The shell's handle on the backend process (main/api/backend-process.ts): starts it (backend-link.ts:
// the system's Node in a checkout, an Electron utility process when packaged), forwards calls and
// returns their results, relays API events, and stops it at quit.

import type { FromBackend, ToBackend } from '../../main/api/contract/backend-messages';
import type { ApiEvent, ApiResult } from '../../main/api/contract/index';
import { forkedBackend, utilityBackend, type BackendLink, type LinkEvents } from './backend-link';
import type { UtilityProcesses } from './utility-processes';

export interface BackendOptions {
  /** The folder holding main/ and node_modules (app.asar.unpacked when packaged; see paths.ts). */
  appRoot: string;
  /** The bundled demo model and data (LONTAR_RESOURCES for the backend). */
  resourcesDir: string;
  /** Default: the backend resolves it ($LONTAR_WORKSPACE, else the per-user data folder). */
  workspaceDir?: string;
  /** A packaged app's utility processes (Electron's, from index.ts); a checkout forks Node instead. */
  utility?: UtilityProcesses;
}

/** How long a quitting backend may take to checkpoint its jobs before it is killed. */
const STOP_GRACE_MS = 40_000;

export class Backend {
  readonly ready: Promise<{ ok: true; workspaceDir: string } | { ok: false; message: string }>;
  private readonly link: BackendLink;
  private readonly pending = new Map<number, (result: ApiResult<unknown>) => void>();
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly exited: Promise<void>;
  private nextId = 1;
  private stderr = '';

  constructor(options: BackendOptions) {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      LONTAR_RESOURCES: options.resourcesDir,
      ...(options.workspaceDir !== undefined && { LONTAR_BACKEND_WORKSPACE: options.workspaceDir }),
    };
    let resolveReady!: (r: Awaited<Backend['ready']>) => void;
    let resolveExited!: () => void;
    this.ready = new Promise((resolve) => (resolveReady = resolve));
    this.exited = new Promise((resolve) => (resolveExited = resolve));
    const events: LinkEvents = {
      message: (m: FromBackend) => {
        if (m.type === 'ready') resolveReady({ ok: true, workspaceDir: m.workspaceDir });
        else if (m.type === 'fatal') resolveReady({ ok: false, message: m.message });
        else if (m.type === 'result') this.settle(m.id, m.result);
        else if (m.type === 'event') for (const l of this.listeners) l(m.event);
      },
      startFailed: (message) => resolveReady({ ok: false, message }),
      exited: (how) => {
        const why = this.stderr.trim().split('\n').pop() ?? '';
        resolveReady({ ok: false, message: `the backend process ended (${how})${why ? `: ${why}` : ''}` });
        for (const id of [...this.pending.keys()]) this.settle(id, { ok: false, error: { code: 'unavailable', message: 'the backend process ended; restart Lontar' } });
        resolveExited();
      },
    };
    const start = { appRoot: options.appRoot, env };
    this.link = options.utility ? utilityBackend(start, options.utility, events) : forkedBackend(start, events);
    this.link.stderr?.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString('utf8')).slice(-4000);
      process.stderr.write(b);
    });
  }

  call(method: string, payload: unknown): Promise<ApiResult<unknown>> {
    if (!this.link.connected) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'the backend process is not running; restart Lontar' } });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.link.send({ type: 'call', id, method, payload } satisfies ToBackend);
    });
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the backend to checkpoint running jobs and close the workspace; kills it after a grace period. */
  async stop(): Promise<void> {
    if (this.link.ended) return;
    if (this.link.connected) this.link.send({ type: 'shutdown' } satisfies ToBackend);
    const timer = setTimeout(() => this.link.kill(), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private settle(id: number, result: ApiResult<unknown>): void {
    this.pending.get(id)?.(result);
    this.pending.delete(id);
  }
}
