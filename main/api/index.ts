// The API: the contract (contract/), the service that answers it (service.ts) and the backend
// process the desktop shell runs it in (backend-process.ts).

export * from './contract/index';
export { LontarService, handlers, type ServiceOptions } from './service';
export { bundledResources, DEMO_MODEL_NAME, type BundledResources } from './resources';
export type { HostKind } from './handler-types';
