// Sign-in against abuse: live sessions are capped per invite, per person and in all, and a sign-in
// over a cap is refused (and logged) instead of signing someone else out; the invite is exchanged
// only by a same-origin JSON POST from the sign-in page (the link carries it in the fragment), so
// a link or form on another site cannot sign a browser in or swap the session it has.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SignedIn } from '../../main/api/index';
import { REQUEST_LOG } from '../../main/serve/index';
import { SessionStore } from '../../main/serve/sessions';
import { postSignIn, request, signInHost } from './helpers';

test('one invite gets at most 10 live sessions: the 11th is refused and logged, nobody is signed out', async (t) => {
  const { port, tokens, signIn, call, host, workspaceDir } = await signInHost(t, [
    { name: 'boss', role: 'owner' },
    { name: 'ana', role: 'annotator' },
  ]);
  const boss = await signIn(tokens['boss']!);
  const ana: string[] = [];
  for (let i = 0; i < 10; i++) ana.push(await signIn(tokens['ana']!));
  const over = await postSignIn(port, 'invite', tokens['ana']!);
  assert.equal(over.status, 429);
  assert.equal(over.headers['set-cookie'], undefined);
  assert.match(over.body, /this invite already has 10 live sessions \(the most allowed\)/);
  for (const cookie of [boss, ana[0]!, ana[9]!]) assert.equal((await call(cookie, 'app.info')).status, 200, 'earlier sessions live on');
  assert.equal((await call(await signIn(tokens['boss']!), 'app.info')).status, 200, 'other invites still sign in');
  assert.equal((await postSignIn(port, 'invite', tokens['ana']!)).status, 429, 'a cap is not a failed guess: no failure lockout, the same answer');

  await host.close();
  const lines = readFileSync(join(workspaceDir, REQUEST_LOG), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; status: number; user: string | null; note?: string });
  const refused = lines.filter((l) => l.action === '/sign-in' && l.status === 429);
  assert.equal(refused.length, 2);
  assert.match(refused[0]!.user ?? '', /^ana#\d+ \(annotator\)$/);
  assert.match(refused[0]!.note ?? '', /already has 10 live sessions/);
});

test('the store refuses past the per-person and total caps instead of ending the oldest session', () => {
  const person = (annotatorId: number, tokenId: number): SignedIn => ({
    tokenId,
    workspaceDir: '/ws',
    tokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    caller: { annotatorId, name: `p${annotatorId}`, role: 'annotator' },
  });
  const store = new SessionStore(60_000, { perInvite: 2, perPerson: 3, total: 5 });
  const first = store.create(person(1, 1));
  assert.ok(first.ok);
  assert.ok(store.create(person(1, 1)).ok);
  assert.ok(store.create(person(1, 2)).ok, 'a second invite of the same person');
  const third = store.create(person(1, 3));
  assert.ok(!third.ok && /p1 already has 3 live sessions/.test(third.message));
  assert.ok(store.create(person(2, 4)).ok && store.create(person(3, 5)).ok);
  const full = store.create(person(4, 6));
  assert.ok(!full.ok && /the server already has 5 live sessions/.test(full.message));
  assert.ok(store.find(first.id), 'the oldest session is still there');
  const later = Date.now() + 61_000; // all ended: room again
  assert.ok(store.create(person(4, 6), later).ok);
});

test('a link or a form on another site cannot sign a browser in, and a signed-in browser is not swapped to another person', async (t) => {
  const { port, tokens, signIn, call } = await signInHost(t, [
    { name: 'boss', role: 'owner' },
    { name: 'ana', role: 'annotator' },
  ]);
  const linked = await request(port, `/?invite=${tokens['boss']}`);
  assert.equal(linked.status, 401, 'the old GET exchange is gone');
  assert.equal(linked.headers['set-cookie'], undefined);
  assert.match(linked.body, /<body data-parameter="invite">.*<script src="\/sign-in\.js"><\/script>/s, 'the sign-in page instead');
  const script = await request(port, '/sign-in.js');
  assert.equal(script.status, 200, 'the page script needs no session');
  assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.match(script.body, /location\.hash[\s\S]*history\.replaceState[\s\S]*fetch\('\/sign-in', \{ method: 'POST', credentials: 'same-origin', headers: \{ 'Content-Type': 'application\/json' \}/);

  const cross = await postSignIn(port, 'invite', tokens['boss']!, { Origin: 'http://attacker.example' });
  assert.equal(cross.status, 403);
  const form = await request(port, '/sign-in', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ invite: tokens['boss'] }) });
  assert.equal(form.status, 415, 'what a cross-site form can send is refused');
  assert.equal((await request(port, '/sign-in')).status, 405);

  const ana = await signIn(tokens['ana']!);
  const swap = await postSignIn(port, 'invite', tokens['boss']!, { Cookie: ana });
  assert.equal(swap.status, 409);
  assert.match(swap.body, /this browser is signed in as ana/);
  assert.equal(swap.headers['set-cookie'], undefined);
  assert.equal((await call(ana, 'app.info')).json.value.caller.name, 'ana');
  assert.equal((await postSignIn(port, 'invite', tokens['ana']!, { Cookie: ana })).status, 204, 'the same person may sign in again');
});
