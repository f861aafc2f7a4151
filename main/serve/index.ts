// Browser mode: the same renderer and API contract as the desktop app, over HTTP and a WebSocket
// (`lontar serve`): on this computer with a session key, or on a network with per-person sign-in.

export { startBrowserHost, DEFAULT_LIMITS, type BrowserHost, type BrowserHostOptions, type ServeLimits } from './http-host';
export { ensureRendererBuilt, rendererIsStale, RENDERER_OUT, RENDERER_VITE_CONFIG } from './renderer-build';
export { isLoopback, allowedHosts, SignInNotConfiguredError, LOOPBACK_HOSTS } from './security';
export { DEFAULT_SESSION_MS } from './sessions';
export { REQUEST_LOG } from './request-log';
export { advertisedBase, networkAddresses } from './host-hooks';
export { readTlsFiles, TlsSetupError, type TlsCertificateFacts, type TlsFiles } from './tls';
