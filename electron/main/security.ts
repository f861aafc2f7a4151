// The shell's security settings (Electron's security checklist): the renderer is sandboxed and
// isolated with no Node, loads only Lontar's own files over a privileged custom scheme with a strict
// CSP, may not navigate, open windows, attach webviews or get permissions, and every IPC call must
// come from the top frame of Lontar's own page.

import { app, session, type WebContents, type WebFrameMain, type WebPreferences } from 'electron';

/** Lontar's pages are served as lontar-app://app/… (see app-protocol.ts). */
export const APP_SCHEME = 'lontar-app';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
/** electron-vite's development server, when `npm run app:dev` runs the shell. */
export const DEV_RENDERER_URL = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: !app.isPackaged,
  };
}

function isAppUrl(url: string): boolean {
  if (url.startsWith(`${APP_ORIGIN}/`)) return true;
  return DEV_RENDERER_URL !== undefined && new URL(url).origin === new URL(DEV_RENDERER_URL).origin;
}

/** IPC is answered only for the top frame of Lontar's own page. */
export function isTrustedSender(frame: WebFrameMain | null | undefined, contents: WebContents): boolean {
  return !!frame && frame === contents.mainFrame && isAppUrl(frame.url);
}

/** Applies to every web contents the app ever creates. */
export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSession(): void {
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  // Nothing leaves the machine: any request that is not for Lontar's own files is cancelled.
  s.webRequest.onBeforeRequest((details, callback) => {
    const local = ['data:', 'blob:', ...(app.isPackaged ? [] : ['devtools:'])].some((scheme) => details.url.startsWith(scheme));
    const devServer = DEV_RENDERER_URL !== undefined && details.url.startsWith('ws://localhost');
    const allowed = isAppUrl(details.url) || local || devServer;
    callback({ cancel: !allowed });
  });
}
