// The renderer's build: one Svelte app for both hosts (the Electron shell loads it from
// lontar-app://, browser mode from `lontar serve`), so asset paths are relative. No inline scripts:
// the CSP forbids them, so the module-preload polyfill (an inline script in some setups) is off.

import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

export const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

export const rendererConfig: UserConfig = {
  root: rendererRoot,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('../out/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
};

export default defineConfig(rendererConfig);
