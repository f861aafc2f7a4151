// The workbench end to end in a browser (playwright-core driving Debian's Chromium, headless)
// against `lontar serve` on a temporary workspace: the first-run path, a dataset checked then
// imported, a model read then imported, a tiny discovery with its heat map, a hand edit and a
// comparison, a running job cancelled, the themes and keyboard navigation — with a screenshot of
// each view in test-artifacts/ui/ and no page error or CSP refusal anywhere.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { reducedNusax, tinyQwenFolder } from '../api/fixtures';
import { tempDir } from '../store/helpers';
import { openBrowser, screenshot, skipWithoutChromium, startServe, until } from './helpers';

const LONG = { timeout: 90_000 };

async function view(page: Page, name: 'start' | 'datasets' | 'models' | 'circuits' | 'jobs'): Promise<void> {
  await page.getByTestId(`nav-${name}`).click();
  await page.locator(`main[data-view="${name}"]`).waitFor();
}

/** Opens the discovery form's settings (a <details>; clicking its summary again would close it). */
async function openSettings(form: ReturnType<Page['getByTestId']>): Promise<void> {
  if ((await form.locator('details').getAttribute('open')) === null) await form.locator('details > summary').click();
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync((await download.path())!);
}

test('the workbench in a browser', { skip: skipWithoutChromium, timeout: 300_000 }, async (t) => {
  const dir = tempDir(t, 'lontar-ui-');
  const server = await startServe(join(dir, 'workspace'));
  t.after(server.stop);
  const { page, problems } = await openBrowser(t);
  let slowModelList = false;
  await page.route('**/api/models.list', async (route) => {
    if (slowModelList) await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await server.open(page);

  await t.test('first run: the demo model is ready and the demo data imports in one click after its summary', async () => {
    const card = page.getByTestId('first-run');
    await card.getByText('The demo model lontar-demo-qwen2 is ready.').waitFor();
    await card.getByTestId('demo-report').getByText('12,000 examples in 12 languages; 1 warning').waitFor(LONG);
    await page.getByTestId('engine-info').getByText(/CPU|GPU/).first().waitFor();
    await screenshot(page, 'start');
    await card.getByRole('button', { name: 'Import the demo data' }).click();
    await card.getByText('The demo data is imported.').waitFor(LONG);
  });

  await t.test('datasets: the validation report comes before the import, which happens only on confirmation', async () => {
    await view(page, 'datasets');
    await page.getByRole('button', { name: 'Import data…' }).click();
    const panel = page.getByTestId('import-panel');
    await panel.getByLabel('Path').fill(reducedNusax(dir, ['javanese', 'indonesian'], { train: 60, valid: 20, test: 10 }));
    await panel.getByLabel('Dataset name (optional)').fill('nusax-small');
    await panel.getByRole('button', { name: 'Check the data' }).click();
    const report = panel.getByTestId('validation-report');
    await report.getByText('180 examples from 6 files; labels: negative, neutral, positive').waitFor();
    await report.getByTestId('report-counts').getByText('0 errors, 0 warnings, 2 notes').waitFor();
    await screenshot(page, 'datasets-report');
    await panel.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported “nusax-small”.').waitFor(LONG);

    const detail = page.getByTestId('dataset-detail');
    await detail.getByRole('heading', { name: 'nusax-small' }).waitFor();
    const counts = detail.getByTestId('dataset-counts');
    await counts.getByRole('row', { name: /^jav train 60/ }).waitFor();
    const csv = (await downloaded(page, () => counts.getByRole('button', { name: 'Export CSV' }).click())).toString('utf8');
    assert.match(csv, /^\uFEFFLanguage,Split,Examples,negative,neutral,positive\r\n/);
    assert.equal(csv.trim().split('\r\n').length, 7, 'a header and six language × split rows');

    await detail.getByLabel('Search text').fill('enak');
    const rows = detail.getByTestId('examples').locator('tbody tr');
    await until(async () => (await rows.count()) > 0 && (await rows.filter({ hasNotText: /enak/i }).count()) === 0, 'only rows with “enak”');
    await screenshot(page, 'datasets');
  });

  await t.test('models: a folder is read into its card, then imported; the demo model is listed as bundled', async () => {
    await view(page, 'models');
    await page.getByRole('link', { name: /lontar-demo-qwen2 qwen2 · bundled demo/ }).waitFor();
    const panel = page.getByTestId('model-import');
    await panel.getByLabel('Model folder').fill(tinyQwenFolder(dir));
    await panel.getByRole('button', { name: 'Read the folder' }).click();
    await panel.getByTestId('model-card').getByText('2 × 4').waitFor();
    // a slow model list after the import (as on a busy machine): the next step leaves the view before
    // it lands, and the view's follow-up (selecting the new model) must not pull the person back
    slowModelList = true;
    await panel.getByRole('button', { name: 'Import this model' }).click();
    await page.getByText('Imported “tiny-qwen2”.').waitFor();
    await page.getByTestId('model-card').first().getByText('Key/value heads').waitFor();
    await screenshot(page, 'models');
  });

  await t.test('circuits: a tiny discovery shows its heat map and ranked heads; an edit is saved as a new circuit and compared', async () => {
    await view(page, 'circuits');
    const form = page.getByTestId('discovery-form');
    // this list was asked for after the Models view's one, so that one has landed by now
    await form.getByLabel('Model').selectOption({ label: 'tiny-qwen2' });
    slowModelList = false;
    assert.equal(await page.locator('main').getAttribute('data-view'), 'circuits', 'still where the person went');
    await form.getByLabel('Dataset').selectOption({ label: 'nusax-small' });
    await form.getByLabel('Language').selectOption('jav');
    await openSettings(form);
    await form.getByLabel('Heads kept per iteration (fraction)').fill('0.25');
    await form.getByLabel('Mean-baseline examples').fill('4');
    await form.getByLabel('Discovery examples').fill('4');
    await form.getByLabel('Longest prompt (tokens)').fill('64');
    await form.getByLabel('Examples per run').fill('8');
    await form.getByTestId('discovery-estimate').getByText(/^Estimated peak memory \d+(\.\d)? MiB of .* available now; iteration 0 about /).waitFor();
    // the device picker: automatic by default (what the engine chose), the GPU offered only with CUDA
    const device = form.getByTestId('device').getByLabel('Runs on');
    assert.equal(await device.inputValue(), 'auto');
    assert.match((await device.locator('option[value="auto"]').textContent()) ?? '', /^Automatic \((CPU|GPU \(CUDA\))\)$/);
    const cuda = (await device.locator('option[value="auto"]').textContent())?.includes('GPU');
    assert.equal(await device.locator('option[value="cuda"]').isDisabled(), !cuda);
    await device.selectOption('cpu');
    const [request] = await Promise.all([page.waitForRequest(/\/api\/circuits\.discover$/), form.getByRole('button', { name: 'Discover' }).click()]);
    assert.equal((request.postDataJSON() as { device?: string }).device, 'cpu', 'the chosen device goes with the launch');

    const detail = page.getByTestId('circuit-detail');
    await detail.getByRole('heading', { name: /nusax-small jav on tiny-qwen2/ }).waitFor(LONG);
    await detail.getByTestId('heatmap').locator('canvas').first().waitFor();
    await detail.getByRole('img', { name: /Heat map of head relevance at iteration 0/ }).waitFor();
    // beside it the per-layer distribution; and two layers cannot hold the depth 2 asked: the view says why
    await detail.getByTestId('layer-profile').getByRole('img', { name: /Box plots of head relevance per layer at iteration 0/ }).waitFor();
    assert.match((await detail.getByTestId('expansion').textContent()) ?? '', /^Expansion stopped at depth [01] of 2 asked: every head it would target is in layer 0/);
    const ranked = detail.getByTestId('ranked-heads');
    assert.equal(await ranked.locator('tbody tr').count(), 8, 'iteration 0 ranks all 2 × 4 heads');
    await detail.getByTestId('faithfulness').getByText('Faithfulness', { exact: true }).waitFor();
    assert.match((await detail.getByTestId('random-null').textContent()) ?? '', /^Against 20 random sets of \d+ heads: accuracy faithfulness -?\d+\.\d ± \d+\.\d% .* \(p, accuracy\): [01]\.\d{3}\.$/);
    await detail.getByRole('heading', { name: /nusax-small jav on tiny-qwen2/ }).scrollIntoViewIfNeeded();
    await screenshot(page, 'circuits');

    const png = await downloaded(page, () => detail.getByTestId('heatmap').getByRole('button', { name: 'Export PNG' }).click());
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file');
    const svg = (await downloaded(page, () => detail.getByTestId('heatmap').getByRole('button', { name: 'Export SVG' }).click())).toString('utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

    await ranked.locator('tbody tr.highlight input[type=checkbox]').first().uncheck();
    await detail.getByTestId('edit-summary').getByText(/\(0 added, 1 removed\)/).waitFor();
    await detail.getByRole('button', { name: 'Save as a new circuit' }).click();
    await page.getByText(/^Saved “.*\(edited\)”\.$/).waitFor();
    await page.getByTestId('circuit-detail').getByText(/^Edited from circuit \d+/).waitFor();

    const compare = page.getByTestId('compare-circuits');
    const options = await compare.getByLabel('First circuit').locator('option').allTextContents();
    await compare.getByLabel('First circuit').selectOption({ label: options.find((o) => !o.includes('(edited)'))! });
    await compare.getByLabel('Second circuit').selectOption({ label: options.find((o) => o.includes('(edited)'))! });
    await compare.getByRole('button', { name: 'Compare' }).click();
    await compare.getByTestId('comparison').getByText('Jaccard index').waitFor();
    await compare.scrollIntoViewIfNeeded();
    await screenshot(page, 'circuits-compare');
  });

  await t.test('jobs: a running discovery is cancelled from the queue', async () => {
    await view(page, 'circuits');
    await page.getByRole('button', { name: 'Discover a circuit…' }).click();
    const form = page.getByTestId('discovery-form');
    await form.getByLabel('Model').selectOption({ label: 'lontar-demo-qwen2' });
    await form.getByLabel('Dataset').selectOption({ label: 'nusax-small' });
    await openSettings(form);
    await form.getByLabel('Examples per run').fill('1'); // slow on purpose: it must still be running when cancelled
    await form.getByRole('button', { name: 'Discover' }).click();
    await form.getByTestId('discovery-progress').waitFor(LONG);

    await view(page, 'jobs');
    const row = page.getByTestId('jobs-table').locator('tbody tr', { hasText: 'lontar-demo-qwen2' });
    await row.getByText('running').waitFor(LONG);
    await screenshot(page, 'jobs-running');
    await row.getByRole('button', { name: /^Cancel \d+$/ }).click();
    await row.getByText('cancelled').waitFor(LONG);
    assert.equal(await row.getByRole('button', { name: /^Resume/ }).count(), 0, 'a cancelled job cannot be resumed');
    await screenshot(page, 'jobs');
  });

  await t.test('keyboard and themes: Alt+number switches views and focuses the heading; the dark theme applies', async () => {
    await page.keyboard.press('Alt+2');
    await page.locator('main[data-view="datasets"]').waitFor();
    await page.locator('h1:focus', { hasText: 'Datasets' }).waitFor();
    await page.keyboard.press('Alt+1');
    await page.getByTestId('theme-toggle').click();
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
    await screenshot(page, 'start-dark');
    await view(page, 'circuits');
    await page.getByTestId('heatmap').locator('canvas').first().waitFor();
    await screenshot(page, 'circuits-dark');
  });

  await t.test('languages: Bahasa Indonesia is one choice away and remembered; English comes back the same way', async () => {
    await Promise.all([page.waitForEvent('load'), page.getByTestId('language').selectOption('id')]);
    await page.getByRole('heading', { level: 1, name: 'Sirkuit' }).waitFor(); // the same view, in Indonesian
    await page.getByTestId('nav-review').getByText('Tinjauan').waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'id');
    await page.getByTestId('heatmap').locator('canvas').first().waitFor();
    await screenshot(page, 'circuits-id');
    await page.reload();
    await page.getByTestId('nav-start').getByText('Mulai').waitFor();
    await Promise.all([page.waitForEvent('load'), page.getByTestId('language').selectOption('en')]);
    await page.getByTestId('nav-start').getByText('Start').waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  });

  assert.deepEqual(problems, [], 'no page errors or Content Security Policy refusals');
});
