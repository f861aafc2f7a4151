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
  assert.deepEqual(violations('renderer', (s) => s === 'electron' || s.startsWith('node:')), []);
});

test('main/ never reaches into the Electron shell, the renderer, benchmarks or tests', () => {
  const outside = ['electron/', 'renderer/', 'bench/', 'test/', 'scripts/'];
  assert.deepEqual(violations('main', (s) => outside.some((o) => s.startsWith(o))), []);
});
