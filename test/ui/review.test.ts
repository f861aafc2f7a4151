// Review in a browser with sign-in: an owner and two annotators, each in their own Chromium context
// signed in with their own invite link, against `lontar serve --require-sign-in` over HTTPS (the
// self-signed test certificate, so pages, calls and events all go through TLS) on loopback. The
// owner creates a round; each annotator answers the same six items with the keyboard (with an undo
// and a note that looks like SQL), sees none of the other's answers before submitting, and then the
// agreement matches the hand-computed fixture; an annotator's export attempt gets 403, and the owner
// exports the corrected labels as a dataset version. Screenshots go to test-artifacts/ui/.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { Workspace } from '../../main/store/index';
import { ANSWERS, EXPECTED_TWO, LABELS, seedPredictions } from '../review/fixture';
import { tempDir } from '../store/helpers';
import { openBrowser, screenshot, skipWithoutChromium, spawnServe } from './helpers';

const LONG = { timeout: 60_000 };

const TLS = join(import.meta.dirname, '..', 'serve', 'fixtures', 'tls');

/** `lontar serve --require-sign-in` over HTTPS (the test certificate) on a free loopback port; resolves with its address. */
async function serveWithSignIn(workspaceDir: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const tls = ['--tls-cert', join(TLS, 'localhost-cert.pem'), '--tls-key', join(TLS, 'localhost-key.pem')];
  const { address, stop } = await spawnServe(workspaceDir, ['--require-sign-in', ...tls], /Addresses: (https:\/\/127\.0\.0\.1:\d+\/)/);
  return { base: address, stop };
}

async function signIn(t: Parameters<typeof openBrowser>[0], base: string, token: string) {
  const { context, page, problems } = await openBrowser(t, { selfSignedHttps: true });
  await page.goto(`${base}#invite=${token}`);
  await page.getByTestId('signed-in-as').waitFor(); // the sign-in page posted the invite and loaded the app
  await page.goto(`${base}#/review`);
  await page.locator('main[data-view="review"]').waitFor();
  return { context, page, problems };
}

/** Answers every item with the keyboard: label k is key k (1 negative, 2 neutral, 3 positive). */
async function answerWithKeys(page: Page, answers: readonly string[]): Promise<void> {
  const queue = page.getByTestId('review-queue');
  for (const [i, label] of answers.entries()) {
    await queue.getByTestId('review-position').getByText(`Item ${i + 1} of ${answers.length}`).waitFor();
    await page.locator('h1').focus(); // keys typed into a field are text, not shortcuts
    await page.keyboard.press(String(LABELS.indexOf(label as (typeof LABELS)[number]) + 1));
    await queue.getByTestId('review-progress').getByText(`${i + 1} of ${answers.length} answered`).waitFor();
  }
}

/** A call from the page itself, as the signed-in person (their session cookie goes with it). */
const callFromPage = (page: Page, method: string, body: unknown) =>
  page.evaluate(
    `fetch('/api/${method}', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(JSON.stringify(body))} })
      .then(async (r) => ({ status: r.status, body: await r.json() }))`,
  ) as Promise<{ status: number; body: { ok: boolean; error?: { code: string } } }>;

test('two annotators review the same round in a browser; agreement matches the fixture', { skip: skipWithoutChromium, timeout: 300_000 }, async (t) => {
  const dir = join(tempDir(t, 'lontar-ui-review-'), 'workspace');
  const ws = Workspace.open(dir, { create: true });
  const { exampleIds } = seedPredictions(ws);
  const expiresAt = new Date(Date.now() + 24 * 3_600_000);
  const tokens = {
    lead: ws.access.invite({ name: 'lead', role: 'owner', expiresAt }).token,
    ayu: ws.access.invite({ name: 'ayu', role: 'annotator', expiresAt }).token,
    budi: ws.access.invite({ name: 'budi', role: 'annotator', expiresAt }).token,
  };
  ws.close();
  const server = await serveWithSignIn(dir);
  t.after(server.stop);

  const owner = await signIn(t, server.base, tokens.lead);
  await t.test('the owner creates a round of the Javanese predictions', async () => {
    const form = owner.page.getByTestId('review-create');
    await form.getByLabel('Name').fill('jav round 1');
    await form.getByTestId('review-languages').getByLabel('jav').check();
    await form.getByRole('button', { name: 'Create the round' }).click();
    await owner.page.getByRole('heading', { name: 'jav round 1' }).waitFor();
    await owner.page.getByTestId('review-queue').getByTestId('review-position').getByText('Item 1 of 6').waitFor();
    await screenshot(owner.page, 'review-owner');
  });

  const ayu = await signIn(t, server.base, tokens.ayu);
  await t.test('ayu answers with the keyboard, undoes one answer, leaves a note, and submits', async () => {
    // a slow summary after each answer (as on a busy machine): her keys come while an answer saves,
    // and moving back while the last one saves must not be undone by the queue's own step forward
    await ayu.page.route('**/api/reviews.get', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
    const queue = ayu.page.getByTestId('review-queue');
    await queue.getByTestId('review-text').getByText('Panganane enak banget').waitFor();
    await queue.getByTestId('review-model-label').getByText('positive').waitFor();
    assert.equal(await ayu.page.getByRole('button', { name: 'New review round…' }).count(), 0, 'annotators do not create rounds');
    // a wrong key, then undo: the item is unanswered again and shown
    await ayu.page.locator('h1').focus();
    await ayu.page.keyboard.press('1');
    await queue.getByTestId('review-position').getByText('Item 2 of 6').waitFor();
    await ayu.page.keyboard.press('u');
    await queue.getByTestId('review-position').getByText('Item 1 of 6').waitFor();
    await queue.getByTestId('review-progress').getByText('0 of 6 answered').waitFor();
    await queue.getByTestId('review-answer').getByText('not answered yet').waitFor();

    await answerWithKeys(ayu.page, ANSWERS.A);
    await ayu.page.keyboard.press('k'); // back to item 5, the one with SQL in its text
    await queue.getByTestId('review-position').getByText('Item 5 of 6').waitFor();
    const note = "'); DROP TABLE annotations; -- sarcasm?";
    await ayu.page.keyboard.press('n');
    // type only once the field has focus: keys typed before that would be the queue's shortcuts
    const field = queue.getByTestId('review-note');
    await field.waitFor();
    await queue.locator('[data-testid="review-note"]:focus').waitFor();
    await field.fill(note);
    await queue.getByTestId('review-save-note').click();
    await queue.getByTestId('review-answer').getByText(`Note: ${note}`).waitFor();
    await ayu.page.getByTestId('agreement-hidden').waitFor();
    await screenshot(ayu.page, 'review-annotator');
    await queue.getByTestId('review-submit').click();
    await queue.getByTestId('review-locked').waitFor();
    await ayu.page.getByTestId('review-agreement').getByText('Agreement needs answers from at least two annotators who submitted.').waitFor();
  });

  const budi = await signIn(t, server.base, tokens.budi);
  await t.test("budi sees none of ayu's answers before submitting, and may not export", async () => {
    const queue = budi.page.getByTestId('review-queue');
    await queue.getByTestId('review-answer').getByText('not answered yet').waitFor();
    await budi.page.getByTestId('agreement-hidden').waitFor();
    const review = (await callFromPage(budi.page, 'reviews.list', {})).body as unknown as { value: { reviews: { id: number }[] } };
    const id = review.value.reviews[0]!.id;
    const agreement = await callFromPage(budi.page, 'reviews.agreement', { id });
    assert.equal(agreement.status, 403);
    assert.equal((await callFromPage(budi.page, 'reviews.answers', { id })).status, 403);
    assert.equal((await callFromPage(budi.page, 'reviews.exportVersion', { reviewId: id })).status, 403);
    assert.equal((await callFromPage(budi.page, 'reviews.create', { name: 'mine', runId: 1, datasetId: 1 })).status, 403);
    const items = (await callFromPage(budi.page, 'reviews.items', { id })).body as unknown as { value: { items: { answer: unknown }[] } };
    assert.ok(items.value.items.every((i) => i.answer === null), 'only his own (none yet)');
    await answerWithKeys(budi.page, ANSWERS.B);
    await queue.getByTestId('review-submit').click();
    await queue.getByTestId('review-locked').waitFor();
  });

  await t.test('after both submitted, the agreement matches the hand-computed fixture for both of them', async () => {
    for (const { page } of [budi, ayu]) {
      await page.reload();
      const panel = page.getByTestId('review-agreement');
      await panel.getByTestId('agreement-cohen').getByText(EXPECTED_TWO.cohensKappa.toFixed(3), { exact: true }).waitFor(LONG);
      await panel.getByTestId('agreement-alpha').getByText(EXPECTED_TWO.krippendorffAlpha.toFixed(3), { exact: true }).waitFor();
      await panel.getByTestId('agreement-observed').getByText(`${(100 * EXPECTED_TWO.observedAgreement).toFixed(1)}%`).waitFor();
      const confusion = panel.getByTestId('agreement-confusion').locator('tbody tr');
      assert.deepEqual(
        (await confusion.allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim())),
        LABELS.map((l, i) => [`model: ${l}`, ...EXPECTED_TWO.confusion[i]!.map(String)]),
      );
      await page.getByTestId('review-queue').getByTestId('review-gold').waitFor(); // gold opens up after submitting
    }
    await ayu.page.getByTestId('review-agreement').scrollIntoViewIfNeeded();
    await screenshot(ayu.page, 'review-agreement');
  });

  await t.test('the owner exports the corrected labels as a new dataset version', async () => {
    await owner.page.reload();
    const form = owner.page.getByTestId('review-export');
    await form.getByLabel('New dataset name').fill('senti corrected');
    await form.getByRole('button', { name: 'Create the dataset version' }).click();
    await form.getByTestId('version-done').getByText('Created “senti corrected”: 1 label changed, 0 examples left out, 2 ties kept their gold label.').waitFor();
    await form.getByRole('link', { name: 'senti corrected' }).waitFor();
    const check = Workspace.open(dir, { readonly: true });
    try {
      const version = check.datasets.byName('senti corrected')!;
      const relabelled = check.examples.list(version.id).find((e) => e.sourceId === 'jav-4');
      assert.equal(relabelled?.label, 'positive');
      const note = check.db.prepare('SELECT note FROM annotations WHERE example_id = ? AND note IS NOT NULL').get(exampleIds[4]!) as { note: string };
      assert.equal(note.note, "'); DROP TABLE annotations; -- sarcasm?");
    } finally {
      check.close();
    }
  });

  for (const { problems } of [owner, ayu, budi]) assert.deepEqual(problems.filter((p) => !/403|Forbidden/.test(p)), []);
  // closed here, before the after-hooks remove their profile folders (Chromium writes until it exits)
  for (const { context } of [owner, ayu, budi]) await context.close();
});
