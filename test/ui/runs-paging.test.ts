// The Transfer view's run list on a workspace with many runs (an experiment grid can make hundreds):
// 50 per page, newest first, with the page controls and the CSV of every run; a link to a run on a
// later page opens that page with the run highlighted, and paging away from it stays possible.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Workspace } from '../../main/store/index';
import { tempDir } from '../store/helpers';
import { openBrowser, skipWithoutChromium, startServe } from './helpers';

const RUNS = 60;

test('a long run list is paged, and a linked run opens on its page', { skip: skipWithoutChromium, timeout: 180_000 }, async (t) => {
  const dir = join(tempDir(t, 'lontar-ui-paging-'), 'workspace');
  const ws = Workspace.open(dir, { create: true });
  for (let i = 1; i <= RUNS; i++) ws.runs.create({ kind: 'competence', name: `anchor ${i}`, config: { source: 'ind', nSrc: 12 }, seed: i });
  ws.close();
  const server = await startServe(dir);
  t.after(server.stop);
  const { page, problems } = await openBrowser(t);
  await server.open(page, '#/transfer');

  const table = page.getByTestId('transfer-runs');
  const rows = table.locator('tbody tr');
  await table.getByText(`1–50 of ${RUNS}`).waitFor();
  assert.equal(await rows.count(), 50);
  const name = (row: typeof rows) => row.getByRole('cell', { name: /^anchor \d+$/ }).textContent();
  assert.equal(await name(rows.first()), `anchor ${RUNS}`, 'newest first');
  await table.getByRole('button', { name: 'Next page' }).click();
  await table.getByText(`51–60 of ${RUNS}`).waitFor();
  assert.equal(await rows.count(), 10);
  assert.equal(await name(rows.last()), 'anchor 1');
  assert.equal(await table.getByRole('button', { name: 'Next page' }).isDisabled(), true);

  const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
  assert.equal(csv.length, RUNS + 1, 'the CSV holds every run, not the page');

  await table.getByRole('button', { name: 'Previous page' }).click();
  await table.getByText(`1–50 of ${RUNS}`).waitFor();
  await page.goto(`${server.origin}/#/transfer/5`);
  await table.getByText(`51–60 of ${RUNS}`).waitFor();
  assert.equal(await name(table.locator('tbody tr.highlight')), 'anchor 5');
  await table.getByRole('button', { name: 'Previous page' }).click();
  await table.getByText(`1–50 of ${RUNS}`).waitFor(); // the selection does not pull the list back
  assert.deepEqual(problems, []);
});
