// Inviting and revoking while `lontar serve` runs (the People panel's calls): the owner lists, invites
// and revokes over HTTP; an annotator gets 403 for each; an invite's token comes back once, as a
// working link on this server, and only its hash is stored; revoking ends the person's live session
// and event socket at once. Bound to 127.0.0.1 throughout (requireSignIn).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { DB_FILE, Workspace } from '../../main/store/index';
import { postSignIn, signInHost } from './helpers';

const ACCESS_CALLS: [string, unknown][] = [
  ['access.list', {}],
  ['access.invite', { name: 'mallory', role: 'owner', expiresInHours: 1 }],
  ['access.revoke', { id: 1 }],
];

test('an annotator gets 403 for every access call and cannot see, make or revoke invites', async (t) => {
  const { tokens, signIn, call } = await signInHost(t, [
    { name: 'boss', role: 'owner' },
    { name: 'ana', role: 'annotator' },
  ]);
  const ana = await signIn(tokens['ana']!);
  for (const [method, payload] of ACCESS_CALLS) {
    const answer = await call(ana, method, payload);
    assert.equal(answer.status, 403, method);
    assert.equal(answer.json.error.code, 'forbidden', method);
  }
  // Nothing changed: the owner's invite still works, nobody named mallory exists.
  const boss = await signIn(tokens['boss']!);
  const listed = await call(boss, 'access.list');
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.json.value.invites.map((i: { name: string; state: string }) => [i.name, i.state]), [['boss', 'active'], ['ana', 'active']]);
});

test('the owner invites while serving: the token comes back once, as a working link, and only its hash is stored', async (t) => {
  const { workspaceDir, port, tokens, signIn, call } = await signInHost(t, [{ name: 'boss', role: 'owner' }]);
  const boss = await signIn(tokens['boss']!);

  const made = await call(boss, 'access.invite', { name: 'Budi', role: 'annotator', expiresInHours: 72 });
  assert.equal(made.status, 200, made.body);
  const { invite, token, link, linkNote } = made.json.value;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(link, `http://127.0.0.1:${port}/#invite=${token}`, 'the link points at this server');
  assert.equal(linkNote, null);
  assert.deepEqual([invite.name, invite.role, invite.state, invite.revokedAt, invite.lastUsedAt], ['Budi', 'annotator', 'active', null, null]);
  const hours = (Date.parse(invite.expiresAt) - Date.parse(invite.createdAt)) / 3_600_000;
  assert.ok(Math.abs(hours - 72) < 0.01, `expires 72 h after creation (${hours})`);

  // Never shown again: not in the list, not in the database (only its sha256).
  const listed = await call(boss, 'access.list');
  assert.ok(!listed.body.includes(token), 'access.list never returns a token');
  assert.deepEqual(
    listed.json.value.people.map((p: { name: string; role: string }) => [p.name, p.role]),
    [['boss', 'owner'], ['Budi', 'annotator']],
  );
  const ws = Workspace.open(workspaceDir, { readonly: true });
  try {
    const rows = ws.db.prepare('SELECT * FROM access_tokens WHERE id = ?').all(invite.id) as Record<string, unknown>[];
    assert.equal(rows[0]!['token_hash'], createHash('sha256').update(token).digest('hex'));
    assert.ok(!JSON.stringify(rows).includes(token));
  } finally {
    ws.close();
  }
  assert.ok(!readFileSync(join(workspaceDir, DB_FILE)).includes(token), 'the token is nowhere in the database file');

  // The link signs Budi in at once, as an annotator, without restarting the server.
  const budi = await signIn(new URLSearchParams(new URL(link).hash.slice(1)).get('invite')!);
  const info = await call(budi, 'app.info');
  assert.deepEqual([info.json.value.caller.name, info.json.value.caller.role], ['Budi', 'annotator']);
  assert.equal((await call(boss, 'access.list')).json.value.invites.find((i: { id: number }) => i.id === invite.id).lastUsedAt !== null, true);

  // The store's refusals come back as ordinary rejections the panel can show.
  const clash = await call(boss, 'access.invite', { name: 'Budi', role: 'owner', expiresInHours: 1 });
  assert.deepEqual([clash.status, clash.json.error.code], [200, 'rejected']);
  assert.match(clash.json.error.message, /already in this workspace as an annotator/);
  const bad = await call(boss, 'access.invite', { name: 'x', role: 'annotator', expiresInHours: 0 });
  assert.equal(bad.json.error.code, 'invalid-request');
  assert.equal((await call(boss, 'access.revoke', { id: 999 })).json.error.code, 'not-found');
});

test('revoking ends the person\'s live session and event socket at once; the link stops working', async (t) => {
  const { port, tokens, signIn, call } = await signInHost(t, [
    { name: 'boss', role: 'owner' },
    { name: 'ana', role: 'annotator' },
  ]);
  const boss = await signIn(tokens['boss']!);
  const ana = await signIn(tokens['ana']!);
  const anaAgain = await signIn(tokens['ana']!); // a second browser of hers
  assert.equal((await call(ana, 'workspace.info')).status, 200);

  const socket = new WebSocket(`ws://127.0.0.1:${port}/events`, { headers: { Cookie: ana, Origin: `http://127.0.0.1:${port}` } });
  await new Promise((resolve, reject) => socket.on('open', resolve).on('error', reject));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));

  const anaInvite = (await call(boss, 'access.list')).json.value.invites.find((i: { name: string }) => i.name === 'ana');
  const revoked = await call(boss, 'access.revoke', { id: anaInvite.id });
  assert.equal(revoked.status, 200, revoked.body);
  assert.equal(revoked.json.value.sessionsEnded, 2, 'both of her sessions ended');
  assert.equal(revoked.json.value.invite.state, 'revoked');

  // Closed by the revocation itself: no event needed, no 30-second heartbeat waited for.
  const code = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still open after 2 s'), 2000))]);
  assert.equal(code, 1008);
  assert.equal((await call(ana, 'workspace.info')).status, 401);
  assert.equal((await call(anaAgain, 'workspace.info')).status, 401);
  assert.match((await postSignIn(port, 'invite', tokens['ana']!)).body, /has been revoked/);
  // Revoking again is harmless and keeps the first time; the owner's own session is untouched.
  const again = await call(boss, 'access.revoke', { id: anaInvite.id });
  assert.deepEqual([again.json.value.invite.revokedAt, again.json.value.sessionsEnded], [revoked.json.value.invite.revokedAt, 0]);
});
