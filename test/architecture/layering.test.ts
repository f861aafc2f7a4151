// The house's boundaries, checked on every import (VS Code keeps a "bad layering" lint for the same
// reason): nothing under main/ imports Electron; the renderer sees only the API contract; the engine
// depends on no feature folder; no feature folder reaches into the Electron shell.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((name) => {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) return sources(relative(root, p));
    return /\.(ts|mts|mjs|svelte)$/.test(name) ? [relative(root, p)] : [];
  });
}

/** Import specifiers of a file, relative ones resolved to repository paths. */
function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => (s.startsWith('.') ? relative(root, resolve(root, dirname(file), s)) : s));
}

function violations(dir: string, forbidden: (spec: string) => boolean): string[] {
  return sources(dir).flatMap((f) => imports(f).filter(forbidden).map((s) => `${f} imports ${s}`));
}

test('main/ never imports electron', () => {
  assert.deepEqual(violations('main', (s) => s === 'electron' || s.startsWith('electron/')), []);
});

test('the engine depends on no feature folder', () => {
  const features = ['models', 'data', 'circuits', 'transfer', 'store', 'jobs', 'api', 'cli'];
  assert.deepEqual(violations('main/engine', (s) => features.some((f) => s.startsWith(`main/${f}`))), []);
});

test('the renderer imports only the API contract from main/', () => {
  assert.deepEqual(violations('renderer', (s) => s.startsWith('main/') && !s.startsWith('main/api')), []);
  // renderer/src runs in the page; renderer/vite.config.ts is build tooling that runs in Node
  assert.deepEqual(violations('renderer/src', (s) => s === 'electron' || s.startsWith('node:')), []);
});

test('main/ never reaches into the Electron shell, the renderer, benchmarks or tests', () => {
  const outside = ['electron/', 'renderer/', 'bench/', 'test/', 'scripts/'];
  assert.deepEqual(violations('main', (s) => outside.some((o) => s.startsWith(o))), []);
});

test('the API contract is browser-safe: it imports only zod and itself', () => {
  assert.deepEqual(violations('main/api/contract', (s) => s !== 'zod' && !s.startsWith('main/api/contract/')), []);
});

test('the renderer imports from main/ only the API contract, and only its types', () => {
  assert.deepEqual(violations('renderer/src', (s) => s.startsWith('main/') && !s.startsWith('main/api/contract')), []);
  const valueImports = sources('renderer/src').filter((f) => /import\s+(?!type\b)[^;]*from\s*['"][./]*main\/api\/contract/.test(readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(valueImports, [], 'renderer files import contract values (only `import type` is allowed)');
});

test('the Electron shell reaches main/ only through the API contract, and the renderer only for its strings', () => {
  assert.deepEqual(violations('electron', (s) => s.startsWith('main/') && !s.startsWith('main/api/contract')), []);
  assert.deepEqual(violations('electron', (s) => s.startsWith('renderer/') && !s.startsWith('renderer/src/strings')), []);
  assert.deepEqual(violations('electron/preload', (s) => s !== 'electron' && s !== 'main/api/contract/methods'), []);
});

test('feature folders never depend on the hosts (api, serve, cli); browser mode reaches main/ only through the API', () => {
  const features = ['engine', 'models', 'data', 'circuits', 'transfer', 'store', 'jobs'];
  const hosts = ['main/api', 'main/serve', 'main/cli'];
  for (const f of features) assert.deepEqual(violations(`main/${f}`, (s) => hosts.some((h) => s.startsWith(h))), [], `main/${f}`);
  assert.deepEqual(violations('main/serve', (s) => s.startsWith('main/') && !s.startsWith('main/api') && !s.startsWith('main/serve')), []);
});
