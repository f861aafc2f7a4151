// Transfer and Compare in a browser (playwright-core driving Debian's Chromium, headless) against
// `lontar serve` on a temporary workspace, on a tiny model and corpus so every run takes seconds:
// competence tuning with A0, a circuit on its checkpoint, CT-SFT and continued full FT over two
// seeds, a long run watched while it trains (progress, time left, curves) and cancelled, then the
// forgetting chart and the report tables in Compare with their exports; and on Start, the demo
// pipeline queued with one click, its progress shown, then stopped. Screenshots of each view go to
// test-artifacts/ui/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { tinyQwenFolder } from '../api/fixtures';
import { tempDir } from '../store/helpers';
import { writeCorpus } from '../transfer/fixtures';
import { openBrowser, screenshot, skipWithoutChromium, startServe } from './helpers';

const LONG = { timeout: 90_000 };

async function downloaded(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync((await download.path())!);
}

/** Opens a form's recipe (a <details>) and sets the tiny recipe: 6 examples in batches of 4 make 2 steps an epoch. */
async function tinyRecipe(form: Locator, epochs: number, batchSize = 4): Promise<void> {
  if ((await form.locator('details').getAttribute('open')) === null) await form.locator('details > summary').click();
  await form.getByLabel('Epochs').fill(String(epochs));
  await form.getByLabel('Learning rate').fill('0.01');
  await form.getByLabel('Batch size').fill(String(batchSize));
  await form.getByLabel('Longest prompt (tokens)').fill('32');
  await form.getByLabel('Score validation every (steps; 0 = every epoch)').fill('2');
  await form.getByLabel('Validation examples scored').fill('12');
}

/** The focused element as "TAG text", polled until it is `expected` (focus moves after the view renders). */
async function focused(page: Page, expected: string): Promise<string> {
  let now = '';
  for (let i = 0; i < 50; i++) {
    now = (await page.locator('*:focus').evaluateAll((els) => els.map((e) => `${e.tagName} ${e.textContent}`)))[0] ?? '';
    if (now === expected) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return now;
}

/** A runs-table row by the text of its name, once its status cell says `status`. */
async function rowWithStatus(page: Page, name: string | RegExp, status: string): Promise<Locator> {
  const row = page.getByTestId('transfer-runs').locator('tbody tr', { hasText: name });
  await row.getByRole('cell', { name: status, exact: true }).first().waitFor(LONG);
  return row;
}

test('transfer and compare in a browser', { skip: skipWithoutChromium, timeout: 240_000 }, async (t) => {
  const dir = tempDir(t, 'lontar-ui-transfer-');
  const server = await startServe(join(dir, 'workspace'));
  t.after(server.stop);
  const { page, problems } = await openBrowser(t);
  await server.open(page);

  await t.test('setup: a tiny corpus and a tiny model are imported', async () => {
    await page.getByTestId('nav-datasets').click();
    await page.locator('main[data-view="datasets"]').waitFor();
    // an empty workspace opens the import panel by itself (a click would close it again)
    const panel = page.getByTestId('import-panel');
    await page.getByRole('button', { name: 'Import data…', expanded: true }).waitFor();
    await panel.getByLabel('Path').fill(writeCorpus(join(dir, 'corpus')));
    await panel.getByLabel('Dataset name (optional)').fill('tiny-corpus');
    await panel.getByRole('button', { name: 'Check the data' }).click();
    await panel.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported “tiny-corpus”.').waitFor(LONG);
    await page.getByTestId('nav-models').click();
    await page.locator('main[data-view="models"]').waitFor();
    const model = page.getByTestId('model-import');
    await model.getByLabel('Model folder').fill(tinyQwenFolder(dir));
    await model.getByRole('button', { name: 'Read the folder' }).click();
    await model.getByRole('button', { name: 'Import this model' }).click();
    await page.getByText('Imported “tiny-qwen2”.').waitFor();
    await page.waitForURL(/#\/models\/\d+$/); // the view shows the new model once its list is read again
  });

  await t.test('transfer: competence with A0, a circuit on it, then CT-SFT and full FT over two seeds', async () => {
    await page.keyboard.press('Alt+5');
    await page.locator('main[data-view="transfer"]').waitFor();
    assert.equal(await focused(page, 'H1 Transfer'), 'H1 Transfer', "Alt+number focuses the view's heading");
    await page.getByTestId('transfer-device').getByLabel('Jobs run on').selectOption('cpu');
    await screenshot(page, 'transfer-forms');

    const competence = page.getByTestId('competence-form');
    await competence.getByLabel('Model').selectOption({ label: 'tiny-qwen2' });
    await competence.getByLabel('Dataset').selectOption({ label: 'tiny-corpus' });
    await competence.getByLabel('Source language').selectOption('ind');
    await competence.getByLabel('jav').check();
    await competence.getByLabel('Source examples').fill('12');
    await competence.getByLabel('Discovery pool (Pool A)').fill('24');
    await competence.getByLabel('Tuning pool (Pool B)').fill('12');
    await tinyRecipe(competence, 2);
    // the pre-launch estimate follows the form: a tiny model fits, with its peak and training time
    await competence.getByTestId('launch-estimate').getByText(/^Estimated peak memory \d+(\.\d)? MiB of .* available now; training about /).waitFor();
    const [launch] = await Promise.all([page.waitForRequest(/\/api\/transfer\.launchCompetence$/), competence.getByRole('button', { name: 'Launch competence tuning' }).click()]);
    assert.equal((launch.postDataJSON() as { device?: string }).device, 'cpu', 'the chosen device goes with the launch');
    await competence.getByText('1 job queued.').waitFor();
    await rowWithStatus(page, 'competence ind on tiny-qwen2', 'done');
    const evaluations = page.getByTestId('run-detail').getByTestId('run-evaluations');
    await evaluations.getByRole('row', { name: /^jav test 12 / }).waitFor(LONG); // A0 of the target

    const circuit = page.getByTestId('circuit-form');
    await circuit.getByLabel('Heads kept per iteration (fraction)').fill('0.125');
    await circuit.getByLabel('Mean-baseline examples').fill('6');
    await circuit.getByLabel('Discovery examples').fill('6');
    await circuit.getByLabel('Examples per run').fill('6');
    await circuit.getByRole('button', { name: 'Discover the circuit' }).click();
    await rowWithStatus(page, 'circuit of competence ind on tiny-qwen2', 'done');

    const methods = page.getByTestId('methods-form');
    await methods.getByLabel('NearZero heads').uncheck();
    await methods.getByLabel('Target language').selectOption('jav');
    await methods.getByLabel('Target examples (n)').fill('6');
    await methods.getByLabel('Seeds (comma-separated)').fill('31, 7');
    await tinyRecipe(methods, 2);
    await methods.getByRole('button', { name: 'Launch', exact: true }).click();
    await methods.getByText('4 jobs queued.').waitFor();
    // This tiny model's circuit keeps layer-0 heads only, so the depth 1 asked is never reached: the names say so.
    for (const name of ['circuit d0 (asked d1) ind→jav n=6 seed 31', 'circuit d0 (asked d1) ind→jav n=6 seed 7', 'full ind→jav n=6 seed 31', 'full ind→jav n=6 seed 7']) await rowWithStatus(page, name, 'done');

    // The last launched run is shown: its curves (loss every step, validation accuracy every 2) and its scores.
    const detail = page.getByTestId('run-detail');
    await detail.getByTestId('curves').locator('canvas').first().waitFor(LONG);
    await detail.getByRole('img', { name: /Line chart of the training loss/ }).waitFor();
    await detail.getByText('Trainable', { exact: true }).waitFor();
    await screenshot(page, 'transfer');
  });

  await t.test('transfer: a long run shows live progress, time left and curves, and is cancelled', async () => {
    const methods = page.getByTestId('methods-form');
    await methods.getByLabel('Circuit (CT-SFT)').uncheck();
    await methods.getByLabel('Seeds (comma-separated)').fill('5');
    await tinyRecipe(methods, 1000, 1); // 6,000 steps: still training when cancelled
    await methods.getByRole('button', { name: 'Launch', exact: true }).click();
    const progress = page.getByTestId('run-detail').getByTestId('run-progress');
    await progress.getByText(/^step [\d,]+ of 6,00\d$/).waitFor(LONG); // 6,000 training steps and the evaluation batches
    await progress.getByText(/^Time left: /).waitFor(LONG);
    await page.getByTestId('run-detail').getByTestId('curves').locator('canvas').first().waitFor(LONG);
    await screenshot(page, 'transfer-running');
    const row = await rowWithStatus(page, 'full ind→jav n=6 seed 5', 'running');
    await row.getByRole('button', { name: /^Cancel \d+$/ }).click();
    await rowWithStatus(page, 'full ind→jav n=6 seed 5', 'cancelled');
    assert.equal(await row.getByRole('button', { name: /^Resume/ }).count(), 0, 'a cancelled run cannot be resumed');
  });

  await t.test('compare: the forgetting chart, A0, per-method summary and report tables, with exports', async () => {
    await page.keyboard.press('Alt+6');
    await page.locator('main[data-view="compare"]').waitFor();
    const choice = page.getByLabel('Results of');
    const option = choice.locator('option', { hasText: /competence ind on tiny-qwen2 \(4 of 5 transfers done\)/ });
    await option.waitFor({ state: 'attached' });
    assert.equal(await choice.inputValue(), await option.getAttribute('value'), 'the pipeline with results is shown');
    await page.getByTestId('competence-summary').getByText('A0 (zero-shot on jav)').waitFor();
    const scatter = page.getByTestId('forgetting-scatter');
    await scatter.locator('canvas').first().waitFor();
    await scatter.getByRole('img', { name: /Scatter chart/ }).waitFor();
    await page.getByTestId('forgetting-bars').locator('canvas').first().waitFor();
    await page.getByTestId('forgetting-spread').getByRole('img', { name: /accuracy lost after tuning, per method and n, with whiskers/ }).waitFor();
    await page.getByText('1 cell has no result yet (running, queued, failed or cancelled).').waitFor();

    const summary = page.getByTestId('method-summary');
    assert.deepEqual(await summary.locator('tbody tr td:first-child').allTextContents(), ['Full FT (continued)', 'Circuit (CT-SFT) d0 (asked d1)']);
    const csv = (await downloaded(page, () => summary.getByRole('button', { name: 'Export CSV' }).click())).toString('utf8');
    assert.match(csv, /^\uFEFFMethod,n,jav accuracy,ind accuracy after tuning,Forgetting,Trainable,Training seconds\r\n/);
    assert.match(csv, /\r\nFull FT \(continued\),6,0\.\d{3} ± 0\.\d{3},0\.\d{3} ± 0\.\d{3},-?0\.\d{3} ± 0\.\d{3},100\.000%,/, 'two seeds: mean ± std');
    const png = await downloaded(page, () => scatter.getByRole('button', { name: 'Export PNG' }).click());
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file');
    const svg = (await downloaded(page, () => scatter.getByRole('button', { name: 'Export SVG' }).click())).toString('utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

    const report = page.getByTestId('report-tables');
    await report.getByText('Target test accuracy (ind → target)').first().waitFor();
    await report.getByText('Cost per method').first().waitFor();
    await screenshot(page, 'compare');
    await page.getByTestId('theme-toggle').click();
    await scatter.scrollIntoViewIfNeeded();
    await screenshot(page, 'compare-dark');
    await page.getByTestId('theme-toggle').click();
  });

  await t.test('start: with the demo data in, one click queues the demo pipeline, which shows its progress and stops', async () => {
    await page.keyboard.press('Alt+1');
    const card = page.getByTestId('first-run');
    await card.getByText('The demo model lontar-demo-qwen2 is ready.').waitFor();
    await card.getByRole('button', { name: 'Import the demo data' }).click();
    await card.getByText('The demo data is imported.').waitFor(LONG);
    const demo = card.getByTestId('demo-pipeline');
    await demo.getByRole('button', { name: 'Run the demo pipeline' }).click();
    await demo.getByText('Demo pipeline: 0 of 15 jobs finished').waitFor(LONG); // 3 seeds × 5 cells
    await demo.getByRole('progressbar', { name: 'demo/seed31/competence' }).waitFor(LONG);
    await screenshot(page, 'start-demo');
    // The whole demo takes minutes on two cores (the API test covers its cells); stop it here.
    await demo.getByRole('button', { name: 'Stop the demo' }).click();
    await demo.getByText(/^A demo job did not finish: demo\/seed31\/\S+ \(cancelled\)/).waitFor(LONG);
    await demo.getByRole('button', { name: 'Run the demo pipeline', disabled: false }).waitFor(LONG); // a stopped demo can run again
    await page.getByTestId('nav-jobs').click();
    const demoJobs = page.getByTestId('jobs-table').locator('tbody tr', { hasText: /demo\/seed\d+\// });
    assert.equal(await demoJobs.count(), 15);
    assert.equal(await demoJobs.filter({ hasText: 'cancelled' }).count(), 15, 'every demo job was cancelled');
  });

  assert.deepEqual(problems, [], 'no page errors or Content Security Policy refusals');
});
