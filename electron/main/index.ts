// The desktop shell's entry (Electron main process): one instance per user, the secure lontar-app://
// scheme, the backend process that holds the workspace, the IPC bridge, the window and its menu. No
// engine or database work happens here; see docs/architecture.md.

import { app, BrowserWindow, dialog, Menu, MessageChannelMain, utilityProcess } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { Backend } from './backend';
import { choosePath } from './dialogs';
import { registerIpc } from './ipc';
import { buildMenu } from './menu';
import { appLayout } from './paths';
import { hardenContents, hardenSession } from './security';
import { electronProcesses } from './utility-processes';
import { createMainWindow, preloadPath } from './window';
import { en as t } from '../../renderer/src/strings/en'; // the shell's menus and dialogs are English

const mainDir = fileURLToPath(new URL('.', import.meta.url));
const layout = appLayout(app.getAppPath(), app.isPackaged, process.resourcesPath);
let window: BrowserWindow | null = null;
let backend: Backend | null = null;

function focusWindow(): void {
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.focus();
}

async function openWorkspace(): Promise<void> {
  const { path } = await choosePath(window, 'workspace-folder');
  if (!path || !backend) return;
  const result = await backend.call('workspace.open', { dir: path, create: true });
  if (!result.ok) await dialog.showMessageBox({ type: 'error', message: t.shell.workspaceFailed, detail: result.error.message });
}

/**
 * Starts the backend on a workspace (undefined: the documented default, $LONTAR_WORKSPACE or the
 * per-user data folder); when it cannot start (in use, damaged), offers to choose another folder.
 */
async function startBackend(dir: string | undefined): Promise<Backend | null> {
  for (let workspaceDir: string | null | undefined = dir; workspaceDir !== null; ) {
    const candidate: Backend = new Backend({
      appRoot: layout.codeRoot,
      resourcesDir: layout.resourcesDir,
      ...(workspaceDir !== undefined && { workspaceDir }),
      // Packaged, the RunAsNode fuse is off: the backend and its jobs are utility processes.
      ...(app.isPackaged && { utility: electronProcesses({ utilityProcess, MessageChannelMain }) }),
    });
    const ready: Awaited<Backend['ready']> = await candidate.ready;
    if (ready.ok) return candidate;
    const answer: Electron.MessageBoxReturnValue = await dialog.showMessageBox({
      type: 'error',
      message: t.shell.backendFailed,
      detail: t.shell.backendFailedDetail(ready.message),
      buttons: [t.shell.chooseAnother, t.shell.quit],
      defaultId: 0,
      cancelId: 1,
    });
    workspaceDir = answer.response === 0 ? (await choosePath(null, 'workspace-folder')).path : null;
  }
  return null;
}

async function start(): Promise<void> {
  hardenSession();
  serveRenderer(join(mainDir, '..', 'renderer'));
  backend = await startBackend(undefined);
  if (!backend) return app.quit();
  registerIpc(backend);
  Menu.setApplicationMenu(buildMenu({ openWorkspace: () => void openWorkspace(), docsDir: layout.docsDir }));
  window = createMainWindow(preloadPath(mainDir));
  window.on('closed', () => (window = null));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  app.on('second-instance', focusWindow);
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.on('window-all-closed', () => app.quit());
  let stopping = false;
  app.on('before-quit', (e) => {
    if (!backend || stopping) return;
    // Jobs checkpoint and the workspace closes cleanly before the app exits.
    e.preventDefault();
    stopping = true;
    void backend.stop().finally(() => app.quit());
  });
  app.whenReady().then(start, (e: unknown) => {
    dialog.showErrorBox(t.shell.backendFailed, e instanceof Error ? e.message : String(e));
    app.quit();
  });
}
