// Which calls each role may make. The owner may make every call. An annotator (a person signed in
// over the network with an invite) may make only the calls listed here: the review calls and the few
// harmless reads the review screens need. Anything not listed is owner-only, so a new call is safe
// by default: training, discovery, imports, exports, jobs, workspace changes and who may sign in
// (access.*: inviting, listing and revoking people) stay with the owner.
// dispatch.ts enforces this for every host before the request is even validated.

import type { ApiErrorBody, ApiEvent, ApiMethod } from './contract/index';
import type { Caller } from './handler-types';

/** Calls an annotator may make. Review calls are added here with their contract. */
export const ANNOTATOR_CALLS = [
  // what the app shell reads to draw itself and name things
  'app.info',
  'workspace.info',
  'engine.info',
  'datasets.list',
  'models.list',
  // review rounds: the rules inside (answers hidden until submitted) are the review service's
  'reviews.list',
  'reviews.get',
  'reviews.items',
  'reviews.answer',
  'reviews.submit',
  'reviews.answers',
  'reviews.agreement',
] as const satisfies readonly ApiMethod[];

const annotatorCalls: ReadonlySet<string> = new Set(ANNOTATOR_CALLS);

export function mayCall(caller: Pick<Caller, 'role'>, method: ApiMethod): boolean {
  return caller.role === 'owner' || annotatorCalls.has(method);
}

export function forbiddenCall(caller: Pick<Caller, 'name' | 'role'>, method: ApiMethod): ApiErrorBody {
  return { code: 'forbidden', message: `${method} is for the workspace's owner; ${caller.name} is signed in as an annotator (review only)` };
}

/**
 * Events an annotator's page receives (the owner receives all). Job progress and logs describe
 * training and imports, which are the owner's business.
 */
export const ANNOTATOR_EVENTS = ['workspace-changed'] as const satisfies readonly ApiEvent['type'][];

const annotatorEvents: ReadonlySet<string> = new Set(ANNOTATOR_EVENTS);

export function mayReceive(caller: Pick<Caller, 'role'>, event: Pick<ApiEvent, 'type'>): boolean {
  return caller.role === 'owner' || annotatorEvents.has(event.type);
}
