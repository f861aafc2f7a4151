// The Electron fuses the packaging step flips (electron-builder.yml `electronFuses`), checked without
// building: the values, that electron-builder's own fuse step turns them into @electron/fuses wires
// (a key it did not know would flip nothing), that asar integrity can work (an asar, its hash
// embedded, an Electron that checks it on Windows too), and that the shell no longer needs the
// RunAsNode fuse: nothing sets ELECTRON_RUN_AS_NODE or runs the Electron binary as Node.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const builderRequire = createRequire(createRequire(join(root, 'package.json')).resolve('electron-builder/package.json'));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) return sources(p);
    return /\.(ts|mts|mjs)$/.test(name) ? [p] : [];
  });
}

test('fuses: RunAsNode off, cookie encryption on, NODE_OPTIONS and --inspect off, asar integrity and asar-only loading on', () => {
  assert.deepEqual(config['electronFuses'], {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  });
});

test("electron-builder's fuse step turns every setting into an @electron/fuses wire", async () => {
  const { PlatformPackager } = builderRequire('app-builder-lib') // its index: the packager modules import each other;
  const { FuseV1Options, FuseVersion } = await import(builderRequire.resolve('@electron/fuses'));
  const wires = await PlatformPackager.prototype.generateFuseConfig.call(null, config['electronFuses']);
  assert.equal(wires.version, FuseVersion.V1);
  assert.equal(wires[FuseV1Options.RunAsNode], false);
  assert.equal(wires[FuseV1Options.EnableCookieEncryption], true);
  assert.equal(wires[FuseV1Options.EnableNodeOptionsEnvironmentVariable], false);
  assert.equal(wires[FuseV1Options.EnableNodeCliInspectArguments], false);
  assert.equal(wires[FuseV1Options.EnableEmbeddedAsarIntegrityValidation], true);
  assert.equal(wires[FuseV1Options.OnlyLoadAppFromAsar], true);
  assert.equal(wires[FuseV1Options.GrantFileProtocolExtraPrivileges], false);
});

test('asar integrity can hold: the app is an asar, its hash is embedded, and Electron checks it on macOS and Windows', () => {
  assert.equal(config['asar'], true, 'integrity covers app.asar; without one there is nothing to check');
  assert.notEqual(config['disableAsarIntegrity'], true, 'electron-builder must embed the hash');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const major = Number(/\d+/.exec(pkg.devDependencies['electron']!)![0]);
  assert.ok(major >= 30, `Electron ${major}: Windows asar integrity needs 30 or newer (macOS 16)`);
  // The shell loads from app.asar (onlyLoadAppFromAsar); child processes run from the unpacked copy.
  for (const unpacked of ['main/**', 'node_modules/**']) assert.ok(config['asarUnpack'].includes(unpacked), unpacked);
});

test('nothing needs RunAsNode: no ELECTRON_RUN_AS_NODE, no Electron binary forked as Node, utility processes when packaged', () => {
  for (const file of [...sources('electron'), ...sources('main')]) {
    const text = readFileSync(join(root, file), 'utf8');
    assert.doesNotMatch(text, /ELECTRON_RUN_AS_NODE['"]?\s*[:=]/, `${file} sets ELECTRON_RUN_AS_NODE`);
    if (file.startsWith('electron')) assert.doesNotMatch(text, /execPath:\s*process\.execPath|\? process\.execPath/, `${relative(root, file)} forks the Electron binary`);
  }
  const index = readFileSync(join(root, 'electron', 'main', 'index.ts'), 'utf8');
  assert.match(index, /app\.isPackaged && \{ utility: electronProcesses\(\{ utilityProcess, MessageChannelMain \}\)/, 'a packaged app starts the backend as a utility process');
});
