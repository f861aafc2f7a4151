// The service behind both hosts: it owns one open workspace (the writer lock) and its job runner,
// answers contract calls through the handlers, and streams API events. `lontar serve` runs it in
// its own process; the desktop shell runs it in a backend process (backend-process.ts), so neither
// SQLite nor validation ever runs on Electron's main thread.

import { chooseProvider } from '../engine/runtime/provider';
import { JobRegistry, JobRunner, type JobProcessSpawner } from '../jobs/index';
import { Workspace } from '../store/index';
import type { ApiEvent, ApiResult } from './contract/index';
import { dispatch } from './dispatch';
import type { HandlerContext, Handlers, HostKind } from './handler-types';
import { circuitHandlers } from './handlers/circuits';
import { datasetHandlers } from './handlers/datasets';
import { jobHandlers } from './handlers/jobs';
import { modelHandlers } from './handlers/models';
import { workspaceHandlers, workspaceInfo } from './handlers/workspace';
import { forwardJobEvents } from './job-views';
import { bundledResources, registerDemoModel, type BundledResources } from './resources';

export const handlers: Handlers = { ...workspaceHandlers, ...datasetHandlers, ...modelHandlers, ...circuitHandlers, ...jobHandlers };

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
}

export class LontarService {
  private current: OpenWorkspace;
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly context: HandlerContext;
  private switching: Promise<void> = Promise.resolve();

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
      host: options.host,
      resources,
      engine,
      openWorkspace: (dir, create) => this.switchTo(dir, create),
    };
  }

  /** Opens the workspace (creating it if allowed), registers the demo model and starts the job lanes. */
  static async start(options: ServiceOptions): Promise<LontarService> {
    const registry = options.registry ?? (await JobRegistry.load());
    const choice = chooseProvider('auto');
    const devices: ('cpu' | 'cuda')[] = choice.provider === 'cuda' ? ['cpu', 'cuda'] : ['cpu'];
    return new LontarService(options, registry, options.resources ?? bundledResources(), { choice, devices });
  }

  get workspaceDir(): string {
    return this.current.ws.dir;
  }

  /** Answers one call with the result envelope; never throws. */
  call(method: unknown, payload: unknown): Promise<ApiResult<unknown>> {
    return this.switching.then(() => dispatch(handlers, () => this.context, method, payload));
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
