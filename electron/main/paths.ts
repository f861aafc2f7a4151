// Where the desktop app's parts are, in a checkout and in a packaged app. Packaged (electron-builder,
// electron-builder.yml): the shell and the renderer run from resources/app.asar; the backend and job
// processes run TypeScript through tsx on Electron's own Node and load native modules, so their code
// and node_modules are unpacked to resources/app.asar.unpacked; the demo model and data, and the
// docs, are extra resources in resources/resources and resources/docs. Pure (no electron import), so
// the installer-configuration test checks it.

import { join } from 'node:path';

export interface AppLayout {
  /** The folder holding main/ (the backend's sources), package.json and node_modules. */
  codeRoot: string;
  /** The bundled demo model and data (the repository's resources/). */
  resourcesDir: string;
  docsDir: string;
}

export function appLayout(appRoot: string, packaged: boolean, resourcesPath: string): AppLayout {
  if (!packaged) return { codeRoot: appRoot, resourcesDir: join(appRoot, 'resources'), docsDir: join(appRoot, 'docs') };
  return {
    codeRoot: appRoot.endsWith('.asar') ? `${appRoot}.unpacked` : appRoot,
    resourcesDir: join(resourcesPath, 'resources'),
    docsDir: join(resourcesPath, 'docs'),
  };
}
