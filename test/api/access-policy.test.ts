// The role policy, enforced in dispatch for every host: without a caller the service acts as the
// workspace's owner (a row made on first use); an annotator may make only the listed calls and
// receives only the listed events; a refusal is `forbidden` and comes before validation.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANNOTATOR_CALLS, ANNOTATOR_EVENTS, API_METHODS, mayCall, mayReceive, type Caller } from '../../main/api/index';
import { ok, startService } from './fixtures';

test('calls without a caller are the local owner\'s, one annotators row for all of them', async (t) => {
  const { service } = await startService(t);
  const first = await ok(service, 'app.info');
  assert.equal(first.caller.name, 'owner');
  assert.equal(first.caller.role, 'owner');
  assert.deepEqual((await ok(service, 'app.info')).caller, first.caller);
  assert.deepEqual(service.localOwner(), first.caller);
});

test('an annotator may make only the listed calls; the refusal is forbidden and names the person', async (t) => {
  const { service } = await startService(t);
  const ana: Caller = { annotatorId: 42, name: 'ana', role: 'annotator' };
  for (const method of API_METHODS) {
    const result = await service.call(method, {}, ana);
    if ((ANNOTATOR_CALLS as readonly string[]).includes(method)) {
      assert.notEqual(result.ok ? 'ok' : result.error.code, 'forbidden', method);
    } else {
      assert.equal(result.ok, false, method);
      assert.equal(!result.ok && result.error.code, 'forbidden', method);
      assert.match(!result.ok ? result.error.message : '', /ana is signed in as an annotator/);
    }
  }
  const info = await service.call('app.info', {}, ana);
  assert.deepEqual(info.ok && info.value && (info.value as { caller: Caller }).caller, ana);
  // Unknown names stay unknown (not forbidden), and garbage arguments to an owner call are refused
  // for the role first.
  assert.equal(((await service.call('no.such', {}, ana)) as { error: { code: string } }).error.code, 'unknown-method');
  assert.equal(((await service.call('circuits.discover', { junk: 1 }, ana)) as { error: { code: string } }).error.code, 'forbidden');
});

test('the policy lists: training, imports, exports and jobs are never an annotator\'s; events are filtered', () => {
  const annotator = { role: 'annotator' as const };
  for (const method of API_METHODS) assert.equal(mayCall({ role: 'owner' }, method), true);
  for (const method of API_METHODS.filter((m) => /^(jobs|circuits|models\.import|datasets\.(import|validate|createPools)|workspace\.open|dialogs|transfer|export)/.test(m))) {
    assert.equal(mayCall(annotator, method), false, method);
  }
  assert.equal(mayReceive(annotator, { type: 'job-progress' }), false);
  assert.equal(mayReceive(annotator, { type: 'job-log' }), false);
  assert.equal(mayReceive({ role: 'owner' }, { type: 'job-log' }), true);
  for (const type of ANNOTATOR_EVENTS) assert.equal(mayReceive(annotator, { type }), true);
});
