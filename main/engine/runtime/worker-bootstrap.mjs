// Entry of the engine worker thread when running from TypeScript sources: install tsx's loader in
// this thread, then start the host. (A bundled build points the Worker at the compiled host instead.)
import { register } from 'tsx/esm/api';

register();
await import('./worker-host.ts');
