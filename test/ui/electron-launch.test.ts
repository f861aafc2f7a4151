// The desktop app launches (Playwright's `_electron`) where the Electron binary exists, and
// otherwise skips saying why: Lontar never downloads the binary during install or tests. When it
// runs, it checks the security settings that matter (isolation, sandbox, no Node in the page, the
// bridge as the only way in, payloads validated, navigation blocked) and takes a screenshot.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { _electron } from 'playwright-core';
import { API_METHODS } from '../../main/api/contract/index';
import { REPO, tempDir } from '../store/helpers';
import { screenshot } from './helpers';

/** The Electron binary, found the way the electron package finds it, but never downloading it. */
function electronBinary(): { path: string } | { skip: string } {
  const pkg = join(REPO, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { skip: 'the electron package is not installed (npm install)' };
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      skip:
        'the Electron binary is not downloaded (node_modules/electron/path.txt is missing). Lontar never downloads it during install or tests; ' +
        'where the network allows, run `npx install-electron` (or set ELECTRON_OVERRIDE_DIST_PATH) to run the desktop app and this test',
    };
  }
  const dist = process.env['ELECTRON_OVERRIDE_DIST_PATH'] ?? join(pkg, 'dist');
  const path = join(dist, readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(path)) return { skip: `the Electron binary named in node_modules/electron/path.txt is missing (${path})` };
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return { skip: 'no display to open a window on (DISPLAY is unset); run the tests under xvfb-run to include the desktop app' };
  }
  return { path };
}

const binary = electronBinary();
if ('skip' in binary) process.stdout.write(`electron launch test skipped: ${binary.skip}\n`);

test('the desktop app launches with a sandboxed, isolated page whose only way in is window.lontar', { skip: 'skip' in binary ? binary.skip : false, timeout: 240_000 }, async (t) => {
  const executablePath = (binary as { path: string }).path;
  const build = spawnSync(join(REPO, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(build.status, 0, `electron-vite build failed:\n${build.stdout}\n${build.stderr}`);

  const workspace = join(tempDir(t, 'lontar-electron-'), 'workspace');
  const app = await _electron.launch({ executablePath, args: [REPO], env: { ...process.env, LONTAR_WORKSPACE: workspace } as Record<string, string>, timeout: 120_000 });
  t.after(() => app.close());
  const page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  assert.match(page.url(), /^lontar-app:\/\/app\//);
  assert.equal(await page.title(), 'Lontar');

  // No Node in the page, and the bridge is exactly the contract's calls plus onEvent.
  // (Page code is passed as strings: this file is type-checked without the DOM library.)
  assert.deepEqual(await page.evaluate('[typeof window.require, typeof window.process, typeof window.module]'), ['undefined', 'undefined', 'undefined']);
  assert.deepEqual(await page.evaluate('Object.keys(window.lontar).sort()'), [...API_METHODS, 'onEvent'].sort());

  const info = (await page.evaluate("window.lontar['app.info']({})")) as { ok: boolean; value: { host: string; nativeDialogs: boolean } };
  assert.deepEqual([info.ok, info.value.host, info.value.nativeDialogs], [true, 'desktop', true]);
  const bad = (await page.evaluate("window.lontar['jobs.cancel']({ id: 'all' })")) as { ok: boolean; error: { code: string; message: string } };
  assert.equal(bad.error.code, 'invalid-request', 'the main process validates the payload');
  assert.match(bad.error.message, /^invalid jobs\.cancel request: id:/);

  await page.getByTestId('first-run').waitFor();
  await page.evaluate("window.location.href = 'https://example.com/'");
  await page.waitForTimeout(500);
  assert.match(page.url(), /^lontar-app:\/\/app\//, 'navigation away from Lontar is blocked');
  await screenshot(page, 'electron-start');
});
