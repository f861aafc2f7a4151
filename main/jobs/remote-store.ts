// Workspace writes from a job process. Only the process that owns the workspace may write it (it
// holds the writer lock), so a job calls repository methods by message, Signal-style: the call site
// is typed by the repository's own signature (`await ctx.store.circuits.create({...})`), and the
// owner executes it on its connection. Only the repositories listed here are reachable; job and run
// status stay with the runner.

import type { Workspace } from '../store/index';

export const REMOTE_REPOSITORIES = ['datasets', 'models', 'circuits', 'evaluations', 'exports', 'pools'] as const;
export type RemoteRepository = (typeof REMOTE_REPOSITORIES)[number];

type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
/** A repository's public methods, each returning a promise of what it returns. */
export type Remote<T> = { readonly [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: Async<T[K]> };
export type RemoteStore = { readonly [R in RemoteRepository]: Remote<Workspace[R]> };

export interface StoreCall {
  repository: string;
  method: string;
  args: unknown[];
}

export function isRemoteRepository(name: string): name is RemoteRepository {
  return (REMOTE_REPOSITORIES as readonly string[]).includes(name);
}

/** The job-process side: every method call becomes one `send` and resolves with the owner's answer. */
export function remoteStore(send: (call: StoreCall) => Promise<unknown>): RemoteStore {
  const repository = (name: string) =>
    new Proxy(
      {},
      { get: (_, method) => (typeof method === 'string' ? (...args: unknown[]) => send({ repository: name, method, args }) : undefined) },
    );
  return new Proxy({} as RemoteStore, {
    get: (_, name) => (typeof name === 'string' && isRemoteRepository(name) ? repository(name) : undefined),
  });
}

/** The owner's side: runs a call on the workspace, refusing anything outside the listed repositories. */
export function executeStoreCall(ws: Workspace, call: StoreCall): unknown {
  if (!isRemoteRepository(call.repository)) {
    throw new Error(`jobs cannot write "${call.repository}" (writable: ${REMOTE_REPOSITORIES.join(', ')})`);
  }
  const repo = ws[call.repository] as unknown as Record<string, unknown>;
  const proto = Object.getPrototypeOf(repo) as object;
  const fn = repo[call.method];
  if (call.method === 'constructor' || !Object.hasOwn(proto, call.method) || typeof fn !== 'function') {
    throw new Error(`${call.repository} has no method "${call.method}"`);
  }
  return (fn as (...a: unknown[]) => unknown).apply(repo, call.args);
}
