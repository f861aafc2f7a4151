// Shared by the UI tests: Debian's Chromium driven by playwright-core (headless, its own profile,
// no background traffic), `lontar serve` on a free port with a temporary workspace, screenshots
// under test-artifacts/ui/, and everything the page reports that it should not (errors, CSP refusals).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from '../store/helpers';

export const CHROMIUM = process.env['LONTAR_CHROMIUM'] ?? '/usr/bin/chromium';
export const skipWithoutChromium = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set LONTAR_CHROMIUM to a Chromium binary`;
export const ARTIFACTS = join(REPO, 'test-artifacts', 'ui');

type TestContext = { after: (fn: () => void | Promise<void>) => void };

/**
 * Starts `lontar serve --port 0 [extra]` (it builds the renderer first when its sources changed) and
 * resolves with the first match of `announce` in what it prints (group 1: the address to open).
 */
export async function spawnServe(workspaceDir: string, extra: string[], announce: RegExp): Promise<{ address: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['bin/lontar.mjs', 'serve', '--port', '0', ...extra, '--workspace', workspaceDir, '--threads', '1'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lontar serve did not start within 180 s:\n${output}`)), 180_000);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const found = announce.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`lontar serve exited (${code}):\n${output}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT'); // running jobs checkpoint, the workspace closes
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    await exited;
    clearTimeout(timer);
  };
  return { address, stop };
}

/** `lontar serve` on loopback with its session key: the address carries the key in its fragment. */
export async function startServe(workspaceDir: string): Promise<{ url: string; origin: string; stop: () => Promise<void>; open: (page: Page, route?: string) => Promise<void> }> {
  const { address, stop } = await spawnServe(workspaceDir, [], /Open (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/);
  const origin = new URL(address).origin;
  /** Opens the printed address (its sign-in page posts the key and loads the app), then `route` ('#/review'). */
  const open = async (page: Page, route = '') => {
    await page.goto(address);
    await page.locator('main[data-view]').waitFor();
    if (route) await page.goto(`${origin}/${route}`);
  };
  return { url: address, origin, stop, open };
}

/**
 * What the sign-in step logs by design: its page comes with a 401 (no session yet, serve/sign-in-page.ts)
 * and has no icon, so Chromium asks for /favicon.ico, which only the app folder would hold: a 404 once
 * the session cookie is set, a 401 when Chromium asks before it is (under load, either can come first).
 */
function signingIn(text: string, url: string): boolean {
  if (!text.startsWith('Failed to load resource')) return false;
  const path = url ? new URL(url).pathname : '';
  return (path === '/' && text.includes('401')) || (path === '/favicon.ico' && (text.includes('404') || text.includes('401')));
}

/**
 * A headless Chromium page at 1280 × 800 that records page errors and CSP refusals in `problems`;
 * `selfSignedHttps` trusts a server's self-signed test certificate, as a lab member who accepted it would.
 */
export async function openBrowser(t: TestContext, options: { selfSignedHttps?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  // the profile folder goes only after the browser has closed (Chromium writes into it until then)
  const profile = mkdtempSync(join(tmpdir(), 'lontar-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    ignoreHTTPSErrors: Boolean(options.selfSignedHttps),
    locale: 'en-US', // the interface follows the system language until one is chosen: tests start in English
  });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (signingIn(m.text(), m.location().url)) return;
    if (m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

/**
 * Polls `check` (made of locator calls) until it holds. Not page.waitForFunction: under the
 * workbench's CSP (no 'unsafe-eval') a predicate that has to be polled fails to evaluate.
 */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
