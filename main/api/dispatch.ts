// One call, start to end, the same for every host: check the method, check that the caller's role
// may make it (access-policy.ts; before the request is read, so a refusal reveals nothing about it),
// check the request against the contract, run the handler, check the response against the contract
// (a drift between the code and the contract is caught here, not in the UI), and wrap the outcome in
// the result envelope.

import { forbiddenCall, mayCall } from './access-policy';
import { apiContract, isApiMethod, parseRequest, type ApiMethod, type ApiResult } from './contract/index';
import { toErrorBody } from './error-mapping';
import type { HandlerContext, Handlers } from './handler-types';

export async function dispatch(handlers: Handlers, ctx: () => HandlerContext, method: unknown, payload: unknown): Promise<ApiResult<unknown>> {
  if (!isApiMethod(method)) return parseRequest(method, payload) as ApiResult<never>;
  let context: HandlerContext;
  try {
    context = ctx();
  } catch (e) {
    return { ok: false, error: toErrorBody(e) };
  }
  if (!mayCall(context.caller, method)) return { ok: false, error: forbiddenCall(context.caller, method) };
  const parsed = parseRequest(method, payload);
  if (!parsed.ok) return parsed;
  const handler = handlers[parsed.method] as ((c: HandlerContext, r: unknown) => unknown) | undefined;
  if (!handler) {
    return { ok: false, error: { code: 'unavailable', message: `${parsed.method} is not available here${parsed.method.startsWith('dialogs.') ? ': native dialogs exist only in the desktop app; type the path instead' : ''}` } };
  }
  try {
    const value = await handler(context, parsed.request);
    return checkedResponse(parsed.method, value);
  } catch (e) {
    return { ok: false, error: toErrorBody(e) };
  }
}

function checkedResponse(method: ApiMethod, value: unknown): ApiResult<unknown> {
  const checked = apiContract[method].response.safeParse(value);
  if (checked.success) return { ok: true, value: checked.data };
  const where = checked.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(response)'}: ${i.message}`).join('; ');
  return { ok: false, error: toErrorBody(new Error(`the ${method} response does not match the API contract (${where})`)) };
}
