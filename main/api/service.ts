// The service behind both hosts: it owns one open workspace (the writer lock) and its job runner,
// answers contract calls through the handlers, and streams API events. `lontar serve` runs it in
// its own process; the desktop shell runs it in a backend process (backend-process.ts), so neither
// SQLite nor validation ever runs on Electron's main thread.

import { resolveProvider } from '../engine/runtime/provider';
import { JobRegistry, JobRunner, type JobProcessSpawner } from '../jobs/index';
import { Workspace } from '../store/index';
import { AccessGate, callerOf } from './access-gate';
import type { ApiEvent, ApiResult } from './contract/index';
import { dispatch } from './dispatch';
import { NO_HOST_HOOKS, type Caller, type HandlerContext, type Handlers, type HostHooks, type HostKind } from './handler-types';
import { accessHandlers } from './handlers/access';
import { circuitHandlers } from './handlers/circuits';
import { datasetHandlers } from './handlers/datasets';
import { exportHandlers } from './handlers/exports';
import { jobHandlers } from './handlers/jobs';
import { modelHandlers } from './handlers/models';
import { transferHandlers } from './handlers/transfer';
import { reviewHandlers } from './handlers/review';
import { workspaceHandlers, workspaceInfo } from './handlers/workspace';
import { forwardJobEvents } from './job-views';
import { bundledResources, registerDemoModel, type BundledResources } from './resources';

export const handlers: Handlers = { ...workspaceHandlers, ...datasetHandlers, ...modelHandlers, ...circuitHandlers, ...jobHandlers, ...transferHandlers, ...reviewHandlers, ...exportHandlers, ...accessHandlers };

export interface ServiceOptions {
  host: HostKind;
  workspaceDir: string;
  /** Create the workspace when the folder is new or empty (default true). */
  create?: boolean;
  resources?: BundledResources;
  /** Job kinds (default: Lontar's own). */
  registry?: JobRegistry;
  /** Engine threads per job process (default: all cores). */
  threads?: number;
  spawn?: JobProcessSpawner;
}

interface OpenWorkspace {
  ws: Workspace;
  runner: JobRunner;
  demoModelProblem: string | null;
  stopForwarding: () => void;
  /** The local owner's annotators row, looked up (or created) on the first call that needs it. */
  owner?: Caller;
}

export class LontarService {
  private current: OpenWorkspace;
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly context: Omit<HandlerContext, 'caller'>;
  private switching: Promise<void> = Promise.resolve();
  private hostHooks: HostHooks = NO_HOST_HOOKS;

  private constructor(
    private readonly options: ServiceOptions,
    private readonly registry: JobRegistry,
    private readonly resources: BundledResources,
    private readonly engine: HandlerContext['engine'],
  ) {
    this.current = this.open(options.workspaceDir, options.create ?? true);
    const self = this;
    this.context = {
      get ws() {
        return self.current.ws;
      },
      get runner() {
        return self.current.runner;
      },
      get demoModelProblem() {
        return self.current.demoModelProblem;
      },
      get hostHooks() {
        return self.hostHooks;
      },
      host: options.host,
      resources,
      engine,
      openWorkspace: (dir, create) => this.switchTo(dir, create),
    };
  }

  /** Opens the workspace (creating it if allowed), registers the demo model and starts the job lanes. */
  static async start(options: ServiceOptions): Promise<LontarService> {
    const registry = options.registry ?? (await JobRegistry.load());
    const choice = await resolveProvider('auto'); // a probe session on CUDA, so the UI offers only a GPU that works
    const devices: ('cpu' | 'cuda')[] = choice.provider === 'cuda' ? ['cpu', 'cuda'] : ['cpu'];
    return new LontarService(options, registry, options.resources ?? bundledResources(), { choice, devices });
  }

  get workspaceDir(): string {
    return this.current.ws.dir;
  }

  /** Sign-in over the open workspace's access tokens (browser mode on a network). */
  readonly access = new AccessGate(() => this.current.ws);

  /**
   * Answers one call with the result envelope; never throws. `caller` is the signed-in person on a
   * network; without it the call is the local owner's (the desktop app, loopback browser mode, tests).
   */
  call(method: unknown, payload: unknown, caller?: Caller): Promise<ApiResult<unknown>> {
    return this.switching.then(() => dispatch(handlers, () => this.contextFor(caller ?? this.localOwner()), method, payload));
  }

  /** The caller the desktop app and loopback browser mode act as. */
  localOwner(): Caller {
    const open = this.current;
    return (open.owner ??= callerOf(open.ws.access.localOwner()));
  }

  // The shared context with the caller on top; its getters still follow workspace switches.
  private contextFor(caller: Caller): HandlerContext {
    return Object.create(this.context, { caller: { value: caller, enumerable: true } }) as HandlerContext;
  }

  /**
   * The serving host's hooks (invite links, ending sessions), while it listens; the returned
   * function detaches them. One host at a time: a second attach replaces the first.
   */
  attachHost(hooks: HostHooks): () => void {
    this.hostHooks = hooks;
    return () => {
      if (this.hostHooks === hooks) this.hostHooks = NO_HOST_HOOKS;
    };
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the job lanes (running jobs checkpoint and end interrupted) and closes the workspace. */
  async close(): Promise<void> {
    await this.switching;
    await this.closeCurrent();
  }

  private emit(event: ApiEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        process.emitWarning(`an API event listener threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private open(dir: string, create: boolean): OpenWorkspace {
    const ws = Workspace.open(dir, { create });
    try {
      const { problem } = registerDemoModel(ws, this.resources);
      const runner = new JobRunner(ws, {
        registry: this.registry,
        devices: this.engine.devices,
        ...(this.options.threads !== undefined && { threads: this.options.threads }),
        ...(this.options.spawn && { spawn: this.options.spawn }),
      });
      const stopForwarding = forwardJobEvents(ws, runner, (e) => this.emit(e));
      runner.start();
      return { ws, runner, demoModelProblem: problem, stopForwarding };
    } catch (e) {
      ws.close();
      throw e;
    }
  }

  private async closeCurrent(): Promise<void> {
    await shut(this.current);
  }

  private switchTo(dir: string, create: boolean): Promise<void> {
    if (dir === this.current.ws.dir) return Promise.resolve();
    // The new workspace is opened before the old one closes, so a refused folder leaves the current
    // workspace open and working.
    const next = this.open(dir, create);
    const previous = this.current;
    this.current = next;
    this.switching = shut(previous);
    return this.switching.then(() => this.emit({ type: 'workspace-changed', workspace: workspaceInfo(next.ws) }));
  }
}

async function shut({ ws, runner, stopForwarding }: OpenWorkspace): Promise<void> {
  await runner.close();
  stopForwarding();
  ws.close();
}
