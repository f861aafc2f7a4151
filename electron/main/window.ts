// The main window: secure preferences, remembered size, shown when painted (no white flash), and
// Lontar's own page (the built renderer, or electron-vite's dev server in development).

import { app, BrowserWindow, nativeTheme } from 'electron';
import { join } from 'node:path';
import { APP_ORIGIN, DEV_RENDERER_URL, secureWebPreferences } from './security';
import { loadWindowState, trackWindowState } from './window-state';

export function createMainWindow(preload: string): BrowserWindow {
  const userData = app.getPath('userData');
  const state = loadWindowState(userData);
  const window = new BrowserWindow({
    ...state.bounds,
    minWidth: 1024,
    minHeight: 680,
    show: false,
    title: 'Lontar',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#121417' : '#f6f7f9',
    webPreferences: secureWebPreferences(preload),
  });
  if (state.maximized) window.maximize();
  trackWindowState(window, userData);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(DEV_RENDERER_URL ?? `${APP_ORIGIN}/index.html`);
  return window;
}

export const preloadPath = (mainDir: string): string => join(mainDir, '..', 'preload', 'index.cjs');
