// The Export view in a browser (lontar serve + headless Chromium): Alt+9 opens it; a destination
// inside the workspace is refused with the reason; an ONNX export runs with the card and checksums
// shown after; Verify reports the reproduced predictions; the export is listed as verified; the page
// logs no errors or CSP refusals. Skips without Chromium (see docs/ui.md).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openBrowser, screenshot, skipWithoutChromium, startServe } from '../ui/helpers';
import { trainedWorkspace } from './fixtures';

test('export wizard: refused destination, export, card, verify, history', { skip: skipWithoutChromium, timeout: 300_000 }, async (t) => {
  const w = await trainedWorkspace(t);
  const server = await startServe(w.wsDir);
  t.after(() => server.stop());
  const { page, problems } = await openBrowser(t);
  await server.open(page); // the sign-in page posts the key from the address's fragment, then the app loads
  await page.getByTestId('nav-export').waitFor(); // the owner's views are drawn once app.info answered
  await page.keyboard.press('Alt+9');
  await page.getByRole('heading', { name: 'Export', level: 1 }).waitFor();
  assert.match((await page.getByLabel('Run', { exact: true }).textContent()) ?? '', new RegExp(`Run ${w.transferRunId} · circuit · ind → jav`));

  await page.getByTestId('export-format-onnx').check();
  await page.getByLabel('Destination folder').fill(join(w.wsDir, 'blobs', 'x'));
  await page.getByTestId('export-start').click();
  assert.match((await page.getByRole('alert').textContent()) ?? '', /is inside the workspace/);

  await page.getByLabel('Destination folder').fill(join(w.root, 'wizard-onnx'));
  await page.getByTestId('export-start').click();
  const card = page.getByTestId('export-card');
  await card.waitFor({ timeout: 120_000 });
  assert.match((await card.textContent()) ?? '', /ct-sft[\s\S]*model\.onnx\.data\s*[0-9a-f]{64}/);
  await screenshot(page, 'export-card');

  await page.getByTestId('export-verify').click();
  const verification = page.getByTestId('export-verification').first();
  await verification.waitFor({ timeout: 120_000 });
  assert.match((await verification.textContent()) ?? '', /Verified: reproduced all 12 stored predictions/);
  assert.match((await page.getByTestId('export-history').textContent()) ?? '', /ONNX classifier[\s\S]*Verified/);
  await screenshot(page, 'export-verified');
  assert.deepEqual(problems, []);
});
