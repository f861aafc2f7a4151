// electron-vite builds the desktop app into out/: the shell's main process (out/main), the preload
// (out/preload, CommonJS as sandboxed preloads require, with everything it imports bundled in) and
// the renderer (out/renderer, the same Vite configuration browser mode uses). Building needs only
// the electron package's version, never its binary.

import { defineConfig } from 'electron-vite';
import { fileURLToPath } from 'node:url';
import { rendererConfig } from './renderer/vite.config';

const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  main: {
    build: { outDir: path('out/main'), rollupOptions: { input: { index: path('electron/main/index.ts') } } },
  },
  preload: {
    build: {
      outDir: path('out/preload'),
      externalizeDeps: false,
      rollupOptions: { input: { index: path('electron/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    ...rendererConfig,
    build: { ...rendererConfig.build, rollupOptions: { input: path('renderer/index.html') } },
  },
});
