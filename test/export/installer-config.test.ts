// The installer configuration, checked without building (no Electron download here): electron-builder
// itself accepts it (its own schema), it packs what the app runs, unpacks every native binary and the
// backend's code from the asar, bundles the demo model and data that exist on disk, targets AppImage +
// deb, NSIS and dmg, rebuilds native modules at packaging time and never in a postinstall; and the
// shell finds the backend and resources in both the checkout and the packaged layout.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, matchesGlob, relative } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { appLayout } from '../../electron/main/paths';
import { bundledResources, defaultResourcesRoot, DEMO_MODEL_NAME } from '../../main/api/resources';

const root = join(import.meta.dirname, '..', '..');
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; main: string };

/** Every file under `dir` (relative to the repository, '/'-separated). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(root, join(d, e.name)).split('\\').join('/'));
    }
  };
  walk(join(root, dir));
  return out;
}

const unpacked = (file: string) => (config['asarUnpack'] as string[]).some((g) => matchesGlob(file, g));

test('electron-builder accepts the configuration (its own schema)', async () => {
  const require = createRequire(createRequire(join(root, 'package.json')).resolve('electron-builder/package.json'));
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
  const { DebugLogger } = require('builder-util/out/DebugLogger.js');
  // electron-builder logs to stdout, which is the test runner's channel from this process: hold it back
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    const loaded = await getConfig(root, null, null);
    assert.equal(loaded.appId, config['appId'], 'electron-builder loads electron-builder.yml');
    await validateConfiguration(loaded, new DebugLogger(false));
    await assert.rejects(validateConfiguration({ ...loaded, asarUnpak: ['x'] }, new DebugLogger(false)), /unknown property 'asarUnpak'/);
  } finally {
    process.stdout.write = write;
  }
});

test('targets: AppImage and deb on Linux, NSIS on Windows, dmg on macOS', () => {
  assert.deepEqual(config['linux'].target, ['AppImage', 'deb']);
  assert.deepEqual(config['win'].target, ['nsis']);
  assert.deepEqual(config['mac'].target, ['dmg']);
  assert.ok(config['linux'].maintainer, 'deb needs a maintainer');
});

test('files: the built app, the backend sources and package.json; the entry point is packed', () => {
  const files = config['files'] as string[];
  for (const f of ['out/**/*', 'main/**/*', 'package.json']) assert.ok(files.includes(f), f);
  assert.equal(pkg.main, 'out/main/index.js', 'electron-vite builds the entry into out/');
  const vite = readFileSync(join(root, 'electron.vite.config.ts'), 'utf8');
  for (const out of ['out/main', 'out/preload']) assert.ok(vite.includes(`'${out}'`), `electron-vite writes ${out}`);
  assert.ok(existsSync(join(root, 'main', 'api', 'backend-process.ts')), 'the backend the shell forks');
  assert.ok(pkg.dependencies['tsx'], 'tsx (the backend runs TypeScript) is a production dependency, so it is packed');
});

test('asarUnpack: every native binary of better-sqlite3 and onnxruntime-node, and the backend code', () => {
  const natives = [...filesUnder('node_modules/better-sqlite3/build/Release'), ...filesUnder('node_modules/onnxruntime-node/bin')].filter((f) =>
    /\.(node|so(\.\d+)*|dylib|dll)$/.test(f),
  );
  assert.ok(natives.some((f) => f.endsWith('better_sqlite3.node')) && natives.some((f) => f.endsWith('onnxruntime_binding.node')));
  assert.ok(natives.some((f) => /libonnxruntime\.so/.test(f)), 'onnxruntime shared library beside its binding');
  for (const f of natives) assert.ok(unpacked(f), `${f} is unpacked`);
  for (const f of ['main/api/backend-process.ts', 'main/jobs/host/main.ts', 'package.json', 'node_modules/tsx/package.json']) assert.ok(unpacked(f), `${f} is unpacked`);
  assert.ok(!unpacked('out/main/index.js') && !unpacked('out/renderer/index.html'), 'the shell and the renderer stay in the asar');
  // each OS keeps only its own onnxruntime binaries
  assert.ok(config['linux'].files.some((g: string) => matchesGlob('node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll', g.slice(1))));
  assert.ok(!config['linux'].files.some((g: string) => matchesGlob('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1', g.slice(1))));
});

test('extraResources: the demo model and data and the docs, present on disk', () => {
  const extra = config['extraResources'] as { from: string; to: string }[];
  const resources = extra.find((e) => e.to === 'resources')!;
  assert.ok(resources, 'resources/ is bundled as resources');
  const model = join(root, resources.from, 'models', DEMO_MODEL_NAME);
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) assert.ok(existsSync(join(model, f)), `demo model ${f}`);
  assert.ok(readdirSync(join(root, resources.from, 'data', 'nusax-senti')).length > 0, 'the demo data');
  const docs = extra.find((e) => e.to === 'docs')!;
  assert.ok(existsSync(join(root, docs.from, 'ui.md')), 'the docs the Help menu opens');
});

test('native modules are rebuilt at packaging time, never in a postinstall; npm run dist builds', () => {
  assert.equal(config['npmRebuild'], true);
  for (const [name, script] of Object.entries(pkg.scripts)) {
    if (/^(pre|post)?install$|^prepare$/.test(name)) assert.doesNotMatch(script, /install-app-deps|electron-rebuild|@electron\/rebuild/, name);
  }
  assert.match(pkg.scripts['dist']!, /electron-vite build && electron-builder/);
  assert.ok(existsSync(join(root, 'build', 'add-cuda-providers.mjs')), 'the CUDA opt-in script');
});

test('the shell finds the backend and the bundled resources in the checkout and in the packaged layout', () => {
  assert.deepEqual(appLayout('/src/lontar', false, '/usr/lib/electron/resources'), { codeRoot: '/src/lontar', resourcesDir: '/src/lontar/resources', docsDir: '/src/lontar/docs' });
  assert.deepEqual(appLayout('/opt/Lontar/resources/app.asar', true, '/opt/Lontar/resources'), {
    codeRoot: '/opt/Lontar/resources/app.asar.unpacked',
    resourcesDir: '/opt/Lontar/resources/resources',
    docsDir: '/opt/Lontar/resources/docs',
  });
  assert.equal(defaultResourcesRoot({}), join(root, 'resources'));
  assert.equal(defaultResourcesRoot({ LONTAR_RESOURCES: '/opt/Lontar/resources/resources' }), '/opt/Lontar/resources/resources');
  assert.equal(bundledResources('/opt/Lontar/resources/resources').demoModelDir, `/opt/Lontar/resources/resources/models/${DEMO_MODEL_NAME}`);
  const backend = readFileSync(join(root, 'electron', 'main', 'backend.ts'), 'utf8');
  assert.match(backend, /LONTAR_RESOURCES: options\.resourcesDir/, 'the shell hands the backend the resources folder');
});
