// The application menu: File › Open Workspace…, the standard Edit/View/Window roles (reload and
// developer tools only in development), and Help › Documentation.

import { app, Menu, shell, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import { en as t } from '../../renderer/src/strings/en'; // the shell's menus and dialogs are English

export function buildMenu(actions: { openWorkspace: () => void; docsDir: string }): Menu {
  const dev = !app.isPackaged;
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: t.shell.file,
      submenu: [{ label: t.shell.openWorkspace, accelerator: 'CmdOrCtrl+O', click: actions.openWorkspace }, { type: 'separator' }, { role: 'quit', label: t.shell.quit }],
    },
    { label: t.shell.edit, role: 'editMenu' },
    {
      label: t.shell.view,
      submenu: [
        ...(dev ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[]) : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: t.shell.window, role: 'windowMenu' },
    { label: t.shell.help, role: 'help', submenu: [{ label: t.shell.documentation, click: () => void shell.openPath(join(actions.docsDir, 'ui.md')) }] },
  ];
  return Menu.buildFromTemplate(template);
}
