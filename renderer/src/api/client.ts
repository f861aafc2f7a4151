// One interface for the renderer to reach Lontar, whichever host serves it: the desktop shell's
// preload bridge (window.lontar) or the browser-mode server (HTTP + WebSocket). Views call
// `api.call('datasets.list', {})`, typed by the contract; a failure throws ApiCallError.

import type { ApiErrorBody, ApiEvent, ApiMethod, ApiRequest, ApiResponse, ApiResult, FieldIssue } from '../../../main/api/contract/index';

export type { ApiEvent, ApiMethod, ApiRequest, ApiResponse };

export interface LontarClient {
  readonly host: 'desktop' | 'browser';
  call<M extends ApiMethod>(method: M, request?: ApiRequest<M>): Promise<ApiResponse<M>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** Called after a lost event stream is back (state may have changed meanwhile). */
  onReconnect(listener: () => void): () => void;
  /** False while the event stream is down. */
  readonly connected: boolean;
}

export class ApiCallError extends Error {
  override name = 'ApiCallError';
  readonly code: ApiErrorBody['code'];
  readonly issues: FieldIssue[];
  constructor(body: ApiErrorBody) {
    super(body.message);
    this.code = body.code;
    this.issues = body.issues ?? [];
  }
}

export function unwrap<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiCallError(result.error);
}

/** A set of listeners; each call of the returned function removes one. */
export function listeners<T>() {
  const set = new Set<(value: T) => void>();
  return {
    add(listener: (value: T) => void): () => void {
      set.add(listener);
      return () => set.delete(listener);
    },
    emit(value: T): void {
      for (const l of set) l(value);
    },
  };
}
