#!/usr/bin/env node
// Runs the test suite with Node's test runner (TypeScript through tsx). Node 20 cannot glob test
// files itself, so this collects them: every test/**/*.test.ts, or the files/folders given as args.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out);
  } else if (path.endsWith('.test.ts')) out.push(path);
  return out;
}

const args = process.argv.slice(2);
const passthrough = args.filter((a) => a.startsWith('--'));
const roots = args.filter((a) => !a.startsWith('--'));
const files = (roots.length ? roots : ['test']).flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...passthrough, ...files.map((f) => relative('.', f))],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
