// Messages between the desktop shell and its backend process (main/api/backend-process.ts): calls in;
// results, API events and the start-up outcome out. In a checkout they go over Node's IPC channel;
// in a packaged app (RunAsNode fuse off) the backend is a utility process and they go over its
// parent port, and the backend asks the shell to start each job process (`job-*`, below).

import type { ApiEvent } from './events';
import type { ApiResult } from './errors';

export type ToBackend =
  | { type: 'call'; id: number; method: string; payload: unknown }
  | { type: 'shutdown' }
  /** The job asked for under `handle` runs; the message carries a port to it (ports[0]). */
  | { type: 'job-spawned'; handle: number; pid: number | undefined }
  | { type: 'job-output'; handle: number; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'job-exit'; handle: number; code: number | null }
  /** The shell could not start it; no 'job-exit' follows. */
  | { type: 'job-failed'; handle: number; message: string };

export type FromBackend =
  | { type: 'ready'; workspaceDir: string }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; result: ApiResult<unknown> }
  | { type: 'event'; event: ApiEvent }
  /** Start a job process (main/jobs/host/main.ts) and hand it and the backend a port pair. */
  | { type: 'job-spawn'; handle: number }
  /** End that job process at once (SIGKILL): a job ignores SIGTERM (docs/jobs.md). */
  | { type: 'job-kill'; handle: number };

/** The shell's first message to a job utility process; ports[0] is its channel to the backend. */
export const OWNER_PORT_MESSAGE = { type: 'owner-port' } as const;
