// The main window's size and place, remembered between sessions (userData/window-state.json) and
// used again only if it still lies on a connected display.

import { screen, type BrowserWindow, type Rectangle } from 'electron';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

const DEFAULT: WindowState = { bounds: { x: 0, y: 0, width: 1280, height: 800 }, maximized: false };

function visible(bounds: Rectangle): boolean {
  const area = screen.getDisplayMatching(bounds).workArea;
  return bounds.x < area.x + area.width && bounds.x + bounds.width > area.x && bounds.y < area.y + area.height && bounds.y + bounds.height > area.y;
}

export function loadWindowState(userData: string): WindowState {
  try {
    const saved = JSON.parse(readFileSync(join(userData, 'window-state.json'), 'utf8')) as WindowState;
    const b = saved.bounds;
    if ([b.x, b.y, b.width, b.height].every(Number.isFinite) && visible(b)) return { bounds: b, maximized: Boolean(saved.maximized) };
  } catch {
    // first start, or an unreadable file: the default
  }
  const area = screen.getPrimaryDisplay().workArea;
  const width = Math.min(DEFAULT.bounds.width, area.width);
  const height = Math.min(DEFAULT.bounds.height, area.height);
  return { bounds: { x: area.x + Math.round((area.width - width) / 2), y: area.y + Math.round((area.height - height) / 2), width, height }, maximized: false };
}

/** Saves the window's state whenever it settles (debounced) and when it closes. */
export function trackWindowState(window: BrowserWindow, userData: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (window.isDestroyed()) return;
    const state: WindowState = { bounds: window.getNormalBounds(), maximized: window.isMaximized() };
    try {
      writeFileSync(join(userData, 'window-state.json'), JSON.stringify(state));
    } catch {
      // not worth interrupting anyone for
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) window.on(event as 'resize', later);
  window.on('close', () => {
    clearTimeout(timer);
    save();
  });
}
