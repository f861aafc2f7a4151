// The typed contract between the UI and Lontar: one request and one response schema per call, the
// events, and the result envelope. Both hosts (the Electron shell with its backend process, and
// `lontar serve`) validate every request with these schemas; the renderer imports only their types.

import { z } from 'zod';
import { accessCalls } from './access';
import { circuitCalls } from './circuits';
import { datasetCalls } from './datasets';
import { dialogCalls } from './dialogs';
import { ApiError, describeIssues, fieldIssues, type ApiErrorBody } from './errors';
import { exportCalls } from './exports';
import { jobCalls } from './jobs';
import { transferCalls } from './transfer';
import { reviewCalls } from './review';
import { isApiMethod, type ApiMethod } from './methods';
import { modelCalls } from './models';
import { workspaceCalls } from './workspace';
import type { ApiEvent } from './events';

export interface CallSchema {
  request: z.ZodType;
  response: z.ZodType;
}

export const apiContract = {
  ...workspaceCalls,
  ...dialogCalls,
  ...datasetCalls,
  ...modelCalls,
  ...circuitCalls,
  ...jobCalls,
  ...transferCalls,
  ...reviewCalls,
  ...exportCalls,
  ...accessCalls,
} satisfies Record<ApiMethod, CallSchema>;

// Every name in methods.ts has a schema (above), and no schema lacks a name (here).
type Unlisted = Exclude<keyof typeof apiContract, ApiMethod>;
const everyCallListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyCallListed;

type Contract = typeof apiContract;
/** What a caller passes (defaults may be left out). */
export type ApiRequest<M extends ApiMethod> = z.input<Contract[M]['request']>;
/** What a handler receives (defaults filled in). */
export type ApiParsedRequest<M extends ApiMethod> = z.output<Contract[M]['request']>;
export type ApiResponse<M extends ApiMethod> = z.output<Contract[M]['response']>;

/** What the Electron preload exposes as `window.lontar`: one function per call, and events. */
export type LontarBridge = { readonly [M in ApiMethod]: (request?: ApiRequest<M>) => Promise<import('./errors').ApiResult<ApiResponse<M>>> } & {
  readonly onEvent: (listener: (event: ApiEvent) => void) => () => void;
};

export type ParsedCall = { ok: true; method: ApiMethod; request: unknown } | { ok: false; error: ApiErrorBody };

/** Checks the method name and the payload; a missing payload counts as `{}`. */
export function parseRequest(method: unknown, payload: unknown): ParsedCall {
  if (!isApiMethod(method)) {
    const shown = typeof method === 'string' ? `"${method.slice(0, 80)}"` : `a ${typeof method}`;
    return { ok: false, error: { code: 'unknown-method', message: `there is no call named ${shown}` } };
  }
  const parsed = apiContract[method].request.safeParse(payload ?? {});
  if (parsed.success) return { ok: true, method, request: parsed.data };
  const issues = fieldIssues(parsed.error);
  return { ok: false, error: new ApiError('invalid-request', describeIssues(`invalid ${method} request`, issues), issues).toBody() };
}

export { API_METHODS, SHELL_METHODS, EVENT_CHANNEL, channelOf, isApiMethod, type ApiMethod } from './methods';
export * from './errors';
export * from './common';
export * from './workspace';
export * from './dialogs';
export * from './datasets';
export * from './models';
export * from './circuits';
export * from './jobs';
export * from './transfer';
export * from './review';
export * from './exports';
export * from './access';
export * from './events';
export { CONTENT_SECURITY_POLICY, contentTypeOf } from './renderer-serving';
