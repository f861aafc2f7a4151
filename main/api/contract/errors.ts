// How a call fails: every host answers with the same envelope, and a failure carries a code the UI
// can act on and a message a person can read. Validation failures list each offending field.

import type { z } from 'zod';

export const API_ERROR_CODES = [
  /** The request does not match its schema (the message names each field). */
  'invalid-request',
  'unknown-method',
  'not-found',
  /** The request is valid but the state forbids it (e.g. resuming a finished job). */
  'conflict',
  /** Lontar refused the input itself (a broken model folder, data with errors). */
  'rejected',
  /** Not possible here or now (no native dialogs in browser mode; workspace in use). */
  'unavailable',
  /** The caller's role may not make this call (an annotator starting training, say). */
  'forbidden',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface FieldIssue {
  /** Dotted path of the field, e.g. "settings.selectionRatio"; "(request)" for the whole request. */
  path: string;
  message: string;
}

export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  issues?: FieldIssue[];
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
  }

  toBody(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.issues && { issues: this.issues }) };
  }
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.length > 0 ? i.path.join('.') : '(request)', message: i.message }));
}

/** "what: field: problem; field: problem" — one line a person can act on. */
export function describeIssues(what: string, issues: readonly FieldIssue[]): string {
  return `${what}: ${issues.map((i) => (i.path === '(request)' ? i.message : `${i.path}: ${i.message}`)).join('; ')}`;
}
