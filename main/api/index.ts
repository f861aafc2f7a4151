// The API: the contract (contract/), the service that answers it (service.ts) and the backend
// process the desktop shell runs it in (backend-process.ts).

export * from './contract/index';
export { LontarService, handlers, type ServiceOptions } from './service';
export { bundledResources, DEMO_MODEL_NAME, type BundledResources } from './resources';
export type { Caller, HostHooks, HostKind } from './handler-types';
export { ANNOTATOR_CALLS, ANNOTATOR_EVENTS, mayCall, mayReceive } from './access-policy';
export { AccessGate, type SignedIn, type SignInResult } from './access-gate';
