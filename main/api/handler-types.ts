// What a call handler gets: the open workspace and its job runner, the host it serves, the bundled
// resources and the engine's device choice. One handler per call, grouped by domain in handlers/.

import type { ProviderChoice } from '../engine/runtime/provider';
import type { JobRunner } from '../jobs/index';
import type { Workspace } from '../store/index';
import type { ApiMethod, ApiParsedRequest, ApiResponse } from './contract/index';
import type { BundledResources } from './resources';

export type HostKind = 'desktop' | 'browser';

/**
 * Who is calling: an annotators row of the open workspace. The desktop app and loopback browser mode
 * act as the workspace's owner (a row named "owner", created on first use); on a network it is the
 * person whose invite the session came from. access-policy.ts decides what each role may call;
 * handlers use it to attribute work and to hide other people's answers.
 */
export interface Caller {
  readonly annotatorId: number;
  readonly name: string;
  readonly role: 'owner' | 'annotator';
}

/**
 * What the host serving the UI lets handlers reach. The desktop app has none (NO_HOST_HOOKS);
 * `lontar serve` attaches its own while it listens (LontarService.attachHost), so the People panel
 * can build invite links and a revocation ends the person's live sessions at once.
 */
export interface HostHooks {
  /** Where invitees open their link (`${base}#invite=TOKEN`), or why this host has no such address. */
  inviteBase(): { base: string } | { base: null; why: string };
  /** Ends the live sessions signed in with this invite (of the workspace at `workspaceDir`); returns how many. */
  endSessions(workspaceDir: string, tokenId: number): number;
}

export const NO_HOST_HOOKS: HostHooks = {
  inviteBase: () => ({
    base: null,
    why: 'nothing serves this workspace to the network (the desktop app never does). Close the app, start `lontar serve --host 0.0.0.0` on this workspace, and give the person http://THIS-MACHINE:5183/#invite= (https:// with --tls-cert) followed by the token',
  }),
  endSessions: () => 0,
};

export interface HandlerContext {
  readonly ws: Workspace;
  readonly runner: JobRunner;
  readonly host: HostKind;
  readonly caller: Caller;
  readonly resources: BundledResources;
  readonly engine: { choice: ProviderChoice; devices: ('cpu' | 'cuda')[] };
  /** Why the bundled demo model could not be registered in this workspace (null when it was). */
  readonly demoModelProblem: string | null;
  /** The serving host's hooks (invite links, ending sessions); NO_HOST_HOOKS when none is attached. */
  readonly hostHooks: HostHooks;
  /** Closes the current workspace (its running jobs stop, resumable) and opens `dir`. */
  openWorkspace(dir: string, create: boolean): Promise<void>;
}

export type Handler<M extends ApiMethod> = (ctx: HandlerContext, request: ApiParsedRequest<M>) => ApiResponse<M> | Promise<ApiResponse<M>>;
export type Handlers = { readonly [M in ApiMethod]?: Handler<M> };
