// Browser mode serves the same renderer the desktop app loads, built by Vite into out/renderer.
// `lontar serve` builds it when it is missing or older than its sources, so a checkout works
// without a separate build step; a distribution ships it prebuilt (Vite is a build-time tool).

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const RENDERER_SOURCE = join(REPO_ROOT, 'renderer');
export const RENDERER_OUT = join(REPO_ROOT, 'out', 'renderer');
/** The renderer's own Vite configuration (electron.vite.config.ts uses the same one). */
export const RENDERER_VITE_CONFIG = join(RENDERER_SOURCE, 'vite.config.ts');

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** True when out/renderer is missing or any renderer source (or the API contract it uses) changed after it was built. */
export function rendererIsStale(outDir = RENDERER_OUT): boolean {
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return [RENDERER_SOURCE, join(REPO_ROOT, 'main', 'api', 'contract')].some((p) => newestChange(p) > built);
}

/** Builds the renderer with Vite when stale; returns the folder to serve. */
export async function ensureRendererBuilt(log: (line: string) => void, outDir = RENDERER_OUT): Promise<string> {
  if (!rendererIsStale(outDir)) return outDir;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error(`the user interface is not built (${outDir}) and Vite is not installed to build it; run \`npm install\` then \`npm run build:renderer\``);
  }
  log('building the user interface (once after each change; about a minute on two cores)…');
  await vite.build({ configFile: RENDERER_VITE_CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}
