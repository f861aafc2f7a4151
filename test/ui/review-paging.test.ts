// A long review round (a whole test split can be thousands of items): the items table under the
// queue shows 50 at a time and follows the item in hand, paging by hand stays possible, and its CSV
// holds every item.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Workspace } from '../../main/store/index';
import { tempDir } from '../store/helpers';
import { openBrowser, skipWithoutChromium, startServe } from './helpers';

const ITEMS = 120;
const LABELS = ['negative', 'neutral', 'positive'];

/** A dataset of ITEMS Javanese test examples and one run's predictions on them. */
function seedLongRound(ws: Workspace): void {
  const dataset = ws.datasets.createWithExamples(
    { name: 'senti', task: 'classification', labels: LABELS, format: 'csv', sourcePath: '/data/senti.csv', sourceHash: 'b'.repeat(64), sourceFiles: [], licence: 'CC BY-SA 4.0' },
    Array.from({ length: ITEMS }, (_, i) => ({
      sourceId: `jav-${i}`,
      language: 'jav',
      split: 'test' as const,
      text: `ukara nomer ${i + 1}`,
      premise: null,
      hypothesis: null,
      label: LABELS[i % 3]!,
      sourceFile: 'senti.csv',
      sourceLine: i + 2,
    })),
  );
  const run = ws.runs.create({ kind: 'ct-sft', name: 'ct-sft jav', datasetId: dataset.id, config: {}, seed: 1 });
  ws.evaluations.create({
    runId: run.id,
    datasetId: dataset.id,
    language: 'jav',
    split: 'test',
    predictions: ws.examples.list(dataset.id).map((e) => ({ exampleId: e.id, predicted: 'positive', correct: e.label === 'positive', scores: { negative: 0, neutral: 0, positive: 1 } })),
  });
}

test('a long review round pages its items table, which follows the item in hand', { skip: skipWithoutChromium, timeout: 180_000 }, async (t) => {
  const dir = join(tempDir(t, 'lontar-ui-review-paging-'), 'workspace');
  const ws = Workspace.open(dir, { create: true });
  seedLongRound(ws);
  ws.close();
  const server = await startServe(dir);
  t.after(server.stop);
  const { page, problems } = await openBrowser(t);
  await server.open(page, '#/review');

  const form = page.getByTestId('review-create');
  await form.getByLabel('Name').fill('long round');
  await form.getByTestId('review-languages').getByLabel('jav').check();
  await form.getByRole('button', { name: 'Create the round' }).click();
  const queue = page.getByTestId('review-queue');
  await queue.getByTestId('review-position').getByText(`Item 1 of ${ITEMS}`).waitFor();

  const table = page.getByTestId('review-items');
  const rows = table.locator('tbody tr');
  await table.getByText(`1–50 of ${ITEMS}`).waitFor();
  assert.equal(await rows.count(), 50);

  await table.getByRole('button', { name: 'Next page' }).click();
  await table.getByText(`51–100 of ${ITEMS}`).waitFor();
  await table.getByRole('button', { name: `Item 100 of ${ITEMS}`, exact: true }).click();
  await queue.getByTestId('review-position').getByText(`Item 100 of ${ITEMS}`).waitFor();
  await queue.getByTestId('review-text').getByText('ukara nomer 100').waitFor();
  assert.equal(await table.getByText(`51–100 of ${ITEMS}`).count(), 1, 'picking an item on the page keeps the page');

  await page.locator('h1').focus();
  await page.keyboard.press('j');
  await queue.getByTestId('review-position').getByText(`Item 101 of ${ITEMS}`).waitFor();
  await table.getByText(`101–120 of ${ITEMS}`).waitFor(); // the next item is on the next page
  assert.equal(await rows.count(), 20);
  assert.match((await table.locator('tbody tr.highlight').textContent()) ?? '', /ukara nomer 101/);

  const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: 'Export CSV' }).click()]);
  assert.equal(readFileSync((await download.path())!, 'utf8').trim().split('\n').length, ITEMS + 1, 'the CSV holds every item, not the page');
  assert.deepEqual(problems, []);
});
