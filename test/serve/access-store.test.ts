// The access store and `lontar access`: invite tokens shown once and kept only as hashes, checked
// for expiry and revocation, names validated and stored literally (SQL-looking ones included), the
// local owner's row made once; and the CLI that invites, lists and revokes.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { inviteLink } from '../../main/cli/commands/access';
import { AccessError, hashToken, LOCAL_OWNER_NAME, Workspace } from '../../main/store/index';
import { finished, spawnTs, tempDir } from '../store/helpers';

const DAY = 86_400_000;

function freshWorkspace(t: Parameters<typeof tempDir>[0]) {
  const ws = Workspace.open(join(tempDir(t, 'lontar-access-'), 'ws'), { create: true });
  t.after(() => ws.close());
  return ws;
}

test('an invite returns its token once; the database keeps only the hash', (t) => {
  const ws = freshWorkspace(t);
  const { token, record } = ws.access.invite({ name: 'Ana', role: 'annotator', expiresAt: new Date(Date.now() + DAY) });
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes');
  assert.equal(record.name, 'Ana');
  assert.equal(record.role, 'annotator');
  assert.equal(record.revokedAt, null);
  const stored = ws.db.prepare('SELECT token_hash FROM access_tokens').pluck().all();
  assert.deepEqual(stored, [hashToken(token)]);
  ws.db.pragma('wal_checkpoint(TRUNCATE)');
  assert.ok(!readFileSync(join(ws.dir, 'lontar.db')).includes(token), 'the token is nowhere in the file');
  assert.notEqual(ws.access.invite({ name: 'Ana', role: 'annotator', expiresAt: new Date(Date.now() + DAY) }).token, token);
  assert.equal(ws.annotations.annotators().filter((a) => a.name === 'Ana').length, 1, 'a second invite reuses the person');
});

test('a token lets its person in until it expires or is revoked; anything else is unknown', (t) => {
  const ws = freshWorkspace(t);
  const now = new Date('2026-01-01T00:00:00Z');
  const { token, record } = ws.access.invite({ name: 'Budi', role: 'annotator', expiresAt: new Date(now.getTime() + DAY) }, now);
  const used = ws.access.check(token, new Date(now.getTime() + 1000));
  assert.ok(used.ok);
  assert.equal(used.token.annotatorId, record.annotatorId);
  assert.equal(ws.access.get(record.id)?.lastUsedAt, new Date(now.getTime() + 1000).toISOString(), 'last use recorded');
  assert.deepEqual(ws.access.check(token, new Date(now.getTime() + DAY)), { ok: false, reason: 'expired', token: ws.access.get(record.id) });
  assert.equal(ws.access.check(`${token}x`, now).ok, false);
  assert.equal((ws.access.check('', now) as { reason: string }).reason, 'unknown');
  const revoked = ws.access.revoke(record.id, new Date(now.getTime() + 2000));
  assert.equal(revoked.revokedAt, new Date(now.getTime() + 2000).toISOString());
  assert.equal(ws.access.revoke(record.id, new Date(now.getTime() + 9000)).revokedAt, revoked.revokedAt, 'revoking twice keeps the first time');
  assert.equal((ws.access.check(token, new Date(now.getTime() + 3000)) as { reason: string }).reason, 'revoked');
  assert.throws(() => ws.access.revoke(999), AccessError);
});

test('names are checked, roles are not silently changed, and SQL-looking names are stored literally', (t) => {
  const ws = freshWorkspace(t);
  const later = new Date(Date.now() + DAY);
  for (const name of ['', ' ', '-dash first', 'x'.repeat(65), 'tab\there', 'new\nline', '<script>']) {
    assert.throws(() => ws.access.invite({ name, role: 'annotator', expiresAt: later }), AccessError, JSON.stringify(name));
  }
  assert.throws(() => ws.access.invite({ name: 'Ana', role: 'annotator', expiresAt: new Date(Date.now() - 1) }), /expire in the future/);
  assert.throws(() => ws.access.invite({ name: LOCAL_OWNER_NAME, role: 'annotator', expiresAt: later }), /owner's own name/);
  ws.access.invite({ name: 'Citra', role: 'annotator', expiresAt: later });
  assert.throws(() => ws.access.invite({ name: 'Citra', role: 'owner', expiresAt: later }), /already in this workspace as an annotator/);

  const sqlish = "Robert'); DROP TABLE annotators;--";
  assert.throws(() => ws.access.invite({ name: sqlish, role: 'annotator', expiresAt: later }), AccessError, 'refused by the name rule');
  const quoted = "O'Brien' OR 'x' -- DROP TABLE annotators";
  const { record } = ws.access.invite({ name: quoted, role: 'annotator', expiresAt: later });
  assert.equal(record.name, quoted);
  assert.equal(ws.access.list().find((r) => r.id === record.id)?.name, quoted);
  assert.equal(ws.annotations.annotators().length, 2, 'the annotators table is intact');
});

test('the local owner row is made once, and owner sign-in needs an active owner invite', (t) => {
  const ws = freshWorkspace(t);
  const owner = ws.access.localOwner();
  assert.deepEqual([owner.name, owner.role], [LOCAL_OWNER_NAME, 'owner']);
  assert.equal(ws.access.localOwner().id, owner.id);
  assert.equal(ws.access.hasActiveOwnerToken(), false);
  ws.access.invite({ name: 'Ana', role: 'annotator', expiresAt: new Date(Date.now() + DAY) });
  assert.equal(ws.access.hasActiveOwnerToken(), false, 'annotator invites do not count');
  const { record } = ws.access.invite({ name: 'Dewi', role: 'owner', expiresAt: new Date(Date.now() + DAY) });
  assert.equal(ws.access.hasActiveOwnerToken(), true);
  assert.equal(ws.access.hasActiveOwnerToken(new Date(Date.now() + 2 * DAY)), false, 'expired');
  ws.access.revoke(record.id);
  assert.equal(ws.access.hasActiveOwnerToken(), false, 'revoked');
});

test('`lontar access` invites, lists and revokes; bad input is exit 2', async (t) => {
  const dir = join(tempDir(t, 'lontar-access-cli-'), 'ws');
  const lontar = async (...args: string[]) => finished(spawnTs('bin/lontar.mjs', ['access', ...args, '--workspace', dir]));
  const invited = await lontar('invite', 'Eka Putri', '--role', 'annotator', '--expires', '2d', '--url', 'http://10.0.0.5:5183', '--json');
  assert.equal(invited.code, 0, invited.stderr);
  const invite = JSON.parse(invited.stdout) as { id: number; link: string; expiresAt: string; role: string };
  assert.match(invite.link, /^http:\/\/10\.0\.0\.5:5183\/#invite=[A-Za-z0-9_-]{43}$/);
  assert.ok(Math.abs(Date.parse(invite.expiresAt) - Date.now() - 2 * DAY) < 60_000);

  assert.equal(inviteLink('https://labbox.local:5183/anything', 'abc'), 'https://labbox.local:5183/#invite=abc', 'https when serving with --tls-cert');

  const listed = await lontar('list');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /Eka Putri\s+annotator\s+active/);
  assert.ok(!listed.stdout.includes(invite.link.split('=')[1]!), 'list never shows tokens');

  const revoked = await lontar('revoke', String(invite.id));
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match((await lontar('list')).stdout, /Eka Putri\s+annotator\s+revoked/);

  for (const [args, message] of [
    [['invite', 'Fajar', '--role', 'admin'], /--role must be annotator or owner/],
    [['invite', 'Fajar', '--role', 'owner', '--expires', 'forever'], /--expires must be a duration/],
    [['invite', 'Fajar', '--role', 'owner', '--url', 'ftp://10.0.0.5:5183'], /must be an http:\/\/ or https:\/\/ address/],
    [['invite', 'owner', '--role', 'annotator'], /owner's own name/],
    [['revoke', '77'], /no access token 77/],
    [['revoke', 'abc'], /positive integer/],
  ] as const) {
    const run = await lontar(...args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});
