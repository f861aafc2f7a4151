// Browser mode: the same renderer and API contract as the desktop app, over HTTP and a WebSocket on
// this computer only (`lontar serve`).

export { startBrowserHost, type BrowserHost, type BrowserHostOptions } from './http-host';
export { ensureRendererBuilt, rendererIsStale, RENDERER_OUT, RENDERER_VITE_CONFIG } from './renderer-build';
export { assertLoopback, NonLoopbackHostError, LOOPBACK_HOSTS } from './security';
