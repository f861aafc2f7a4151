// Messages between the desktop shell and its backend process (main/api/backend-process.ts) over
// Node's IPC channel: calls in; results, API events and the start-up outcome out.

import type { ApiEvent } from './events';
import type { ApiResult } from './errors';

export type ToBackend = { type: 'call'; id: number; method: string; payload: unknown } | { type: 'shutdown' };

export type FromBackend =
  | { type: 'ready'; workspaceDir: string }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; result: ApiResult<unknown> }
  | { type: 'event'; event: ApiEvent };
