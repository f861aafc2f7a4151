// What a call handler gets: the open workspace and its job runner, the host it serves, the bundled
// resources and the engine's device choice. One handler per call, grouped by domain in handlers/.

import type { ProviderChoice } from '../engine/runtime/provider';
import type { JobRunner } from '../jobs/index';
import type { Workspace } from '../store/index';
import type { ApiMethod, ApiParsedRequest, ApiResponse } from './contract/index';
import type { BundledResources } from './resources';

export type HostKind = 'desktop' | 'browser';

export interface HandlerContext {
  readonly ws: Workspace;
  readonly runner: JobRunner;
  readonly host: HostKind;
  readonly resources: BundledResources;
  readonly engine: { choice: ProviderChoice; devices: ('cpu' | 'cuda')[] };
  /** Why the bundled demo model could not be registered in this workspace (null when it was). */
  readonly demoModelProblem: string | null;
  /** Closes the current workspace (its running jobs stop, resumable) and opens `dir`. */
  openWorkspace(dir: string, create: boolean): Promise<void>;
}

export type Handler<M extends ApiMethod> = (ctx: HandlerContext, request: ApiParsedRequest<M>) => ApiResponse<M> | Promise<ApiResponse<M>>;
export type Handlers = { readonly [M in ApiMethod]?: Handler<M> };
