// The People panel's calls without a serving host (the desktop app): inviting works and returns the
// token, but there is no address to build a link from, so the answer says why and how; the list
// names the local owner; the calls are the owner's alone, whatever the payload.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANNOTATOR_CALLS, type Caller } from '../../main/api/index';
import { ok, refusedCall, startService } from './fixtures';

test('without a serving host an invite has its token but no link, and the answer says how to use it', async (t) => {
  const { service } = await startService(t, { host: 'desktop' });
  const made = await ok(service, 'access.invite', { name: 'Ana Siregar', role: 'annotator', expiresInHours: 24 });
  assert.match(made.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(made.link, null);
  assert.match(made.linkNote, /lontar serve --host 0\.0\.0\.0.*#invite=/);

  const listed = await ok(service, 'access.list');
  assert.deepEqual(
    listed.people.map((p: { name: string; role: string; localOwner: boolean }) => [p.name, p.role, p.localOwner]).sort(),
    [['Ana Siregar', 'annotator', false], ['owner', 'owner', true]],
  );
  assert.equal(listed.invites.length, 1);
  assert.ok(!JSON.stringify(listed).includes(made.token));

  const revoked = await ok(service, 'access.revoke', { id: made.invite.id });
  assert.deepEqual([revoked.invite.state, revoked.sessionsEnded], ['revoked', 0]);
  assert.equal((await refusedCall(service, 'access.invite', { name: 'owner', role: 'annotator', expiresInHours: 1 })).code, 'rejected');
});

test('the access calls are owner-only: not on the annotator list, refused before validation', async (t) => {
  const { service } = await startService(t);
  const ana: Caller = { annotatorId: 7, name: 'ana', role: 'annotator' };
  for (const method of ['access.list', 'access.invite', 'access.revoke'] as const) {
    assert.ok(!(ANNOTATOR_CALLS as readonly string[]).includes(method), method);
    const result = await service.call(method, { junk: true }, ana);
    assert.equal(!result.ok && result.error.code, 'forbidden', method);
  }
});
