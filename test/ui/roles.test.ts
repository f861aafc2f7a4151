// The role-aware workbench in a browser, against a sign-in host on loopback (what `lontar serve
// --host 0.0.0.0` runs): an annotator sees Review and who is signed in, but no Transfer, Export or
// People, lands on Review, and gets a calm note (not a broken view) at an owner's address; the owner
// sees every view, invites someone in the People panel (the link shown once, working at once) and
// revokes them, which signs that browser out. Screenshots go to test-artifacts/ui/.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { LontarService } from '../../main/api/index';
import { JobRegistry } from '../../main/jobs/index';
import { RENDERER_OUT, rendererIsStale, startBrowserHost } from '../../main/serve/index';
import { workspaceWithInvites } from '../serve/helpers';
import { finished, REPO } from '../store/helpers';
import { openBrowser, screenshot, skipWithoutChromium } from './helpers';

const OWNER_VIEWS = ['start', 'datasets', 'models', 'circuits', 'transfer', 'compare', 'review', 'jobs', 'export', 'people'];

/** A Chromium page signed in with `token`; records every API call the server refused with 403. */
async function signedIn(t: Parameters<typeof openBrowser>[0], base: string, token: string) {
  const { page, problems } = await openBrowser(t);
  const refused: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 403) refused.push(new URL(r.url()).pathname);
  });
  await page.goto(`${base}#invite=${token}`);
  return { page, problems, refused };
}

/**
 * out/renderer, built first when its sources changed. In a child process: Vite's esbuild service
 * would otherwise keep this test process alive after the test.
 */
async function builtRenderer(): Promise<string> {
  if (!rendererIsStale()) return RENDERER_OUT;
  const script = `import('./main/serve/index.ts').then((m) => m.ensureRendererBuilt(() => undefined)).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); })`;
  const run = await finished(spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] }));
  assert.equal(run.code, 0, `building the renderer failed:\n${run.stderr}`);
  return RENDERER_OUT;
}

const navEntries = (page: Page) => page.locator('nav [data-testid^="nav-"]').evaluateAll((links) => links.map((a) => a.getAttribute('data-testid')!.slice(4)));

test('an annotator sees Review but not Transfer, Export or People; the owner sees them and manages invites', { skip: skipWithoutChromium, timeout: 240_000 }, async (t) => {
  const rendererDir = await builtRenderer();
  const { workspaceDir, tokens } = workspaceWithInvites(t, [
    { name: 'boss', role: 'owner' },
    { name: 'Ana Siregar', role: 'annotator' },
  ]);
  const service = await LontarService.start({ host: 'browser', workspaceDir, threads: 1, registry: await JobRegistry.load() });
  t.after(() => service.close());
  const host = await startBrowserHost({ service, rendererDir, port: 0, requireSignIn: true });
  t.after(() => host.close());
  const base = host.url;

  // The annotator: lands on Review, sees only it, and who is signed in.
  const ana = await signedIn(t, base, tokens['Ana Siregar']!);
  await ana.page.locator('main[data-view="review"]').waitFor();
  await ana.page.getByTestId('signed-in-as').getByText('Signed in as Ana Siregar (annotator)').waitFor();
  assert.deepEqual(await navEntries(ana.page), ['review']);
  for (const hidden of ['transfer', 'export', 'people']) assert.equal(await ana.page.getByTestId(`nav-${hidden}`).count(), 0, hidden);
  await screenshot(ana.page, 'roles-annotator-review');
  // An owner's address typed by hand: a calm note and the way back, not a broken view.
  await ana.page.goto(`${base}#/export`);
  await ana.page.getByTestId('owner-only').waitFor();
  assert.equal(await ana.page.locator('main .note.error').count(), 0, 'no error note');
  await ana.page.getByTestId('owner-only').getByRole('button', { name: 'Go to Review' }).click();
  await ana.page.locator('main[data-view="review"]').waitFor();
  // The job queue is the only owner call the shell tries (and quietly ignores); no view calls one.
  assert.deepEqual([...new Set(ana.refused)], ['/api/jobs.list']);

  // The owner: every view, People included, unchanged otherwise.
  const boss = await signedIn(t, base, tokens['boss']!);
  await boss.page.locator('main[data-view="start"]').waitFor();
  assert.deepEqual(await navEntries(boss.page), OWNER_VIEWS);
  await boss.page.getByTestId('nav-people').click();
  await boss.page.locator('main[data-view="people"]').waitFor();
  await boss.page.getByTestId('invites-table').getByRole('cell', { name: 'Ana Siregar', exact: true }).waitFor();
  await boss.page.getByTestId('invite-name').fill('Budi');
  await boss.page.getByTestId('invite-create').click();
  const link = await boss.page.getByTestId('invite-link').inputValue();
  assert.match(link, new RegExp(`^${base.replace(/[.?]/g, '\\$&')}#invite=[A-Za-z0-9_-]{43}$`));
  await screenshot(boss.page, 'roles-owner-invited');
  await boss.page.getByRole('button', { name: 'Done' }).click();
  assert.equal(await boss.page.getByTestId('invite-link').count(), 0, 'the link is shown only once');
  assert.ok(!(await boss.page.content()).includes(new URLSearchParams(new URL(link).hash.slice(1)).get('invite')!), 'nor anywhere else on the page');

  // Budi signs in with the new link while the server keeps running; the owner revokes it; Budi is out.
  const budi = await signedIn(t, link.split('#')[0]!, new URLSearchParams(new URL(link).hash.slice(1)).get('invite')!);
  await budi.page.getByTestId('signed-in-as').getByText('Signed in as Budi (annotator)').waitFor();
  const budiRow = boss.page.getByTestId('invites-table').locator('tr', { hasText: 'Budi' });
  await budiRow.waitFor();
  await budiRow.getByRole('button', { name: 'Revoke Budi’s invite' }).click();
  await budiRow.getByRole('button', { name: 'Revoke', exact: true }).click();
  await boss.page.getByTestId('people-message').getByText('Budi’s invite is revoked; 1 session ended.').waitFor();
  const after = await budi.page.evaluate(() => fetch('/api/workspace.info', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status));
  assert.equal(after, 401);

  assert.deepEqual(boss.refused, [], 'the owner is never refused');
  for (const { problems } of [ana, boss]) assert.deepEqual(problems.filter((p) => !/403|Forbidden/.test(p)), []);
});
