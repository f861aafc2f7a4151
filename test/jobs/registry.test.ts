// The registry of job kinds and the typed store calls a job makes: config validation with defaults
// and readable errors, one registration per kind, and a store surface limited to what jobs may write.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { BUILT_IN_KINDS, JobConfigError, JobRegistry, defineJobKind } from '../../main/jobs/index';
import { executeStoreCall, remoteStore, type StoreCall } from '../../main/jobs/remote-store';
import { Workspace } from '../../main/store/index';
import { tempDir } from './helpers';

const kind = (name: string) => defineJobKind({ kind: name, description: name, config: z.strictObject({ n: z.number().default(3) }), run: async () => ({}) });

test("Lontar's own kinds load from one module; configs get defaults and precise errors", async () => {
  const registry = await JobRegistry.load();
  assert.equal(registry.moduleUrl, BUILT_IN_KINDS);
  assert.ok(registry.has('train-tiny'));
  const config = registry.parseConfig('train-tiny', { steps: 7 });
  assert.equal(config['steps'], 7);
  assert.equal(config['hidden'], 16, 'defaults filled in');
  assert.throws(() => registry.parseConfig('train-tiny', { steps: 1.5 }), (e: unknown) => e instanceof JobConfigError && /steps/.test(e.message));
  const known = registry.list().map((k) => k.kind).join(', ');
  assert.throws(() => registry.get('nope'), (e: unknown) => e instanceof JobConfigError && e.message === `unknown job kind "nope" (known: ${known})`);
});

test('a kind registered twice, or a module without jobKinds, is refused', async () => {
  assert.throws(() => new JobRegistry('test:', [kind('a'), kind('a')]), /"a" is registered twice/);
  await assert.rejects(JobRegistry.load('data:text/javascript,export const kinds = []'), /does not export a jobKinds array/);
  const registry = new JobRegistry('test:', [kind('b'), kind('a')]);
  assert.deepEqual(registry.list().map((k) => k.kind), ['a', 'b']);
  assert.deepEqual(registry.parseConfig('a', undefined), { n: 3 });
});

test('store calls from a job reach only the listed repositories and their public methods', async (t) => {
  const ws = Workspace.open(tempDir(t), { create: true });
  t.after(() => ws.close());
  const sent: StoreCall[] = [];
  const store = remoteStore(async (call) => (sent.push(call), executeStoreCall(ws, call)));
  const model = await store.models.create({ name: 'm', family: 'bert', sourcePath: '/m', contentHash: 'a'.repeat(64) });
  assert.deepEqual(sent, [{ repository: 'models', method: 'create', args: [{ name: 'm', family: 'bert', sourcePath: '/m', contentHash: 'a'.repeat(64) }] }]);
  assert.equal(ws.models.get(model.id)?.name, 'm');

  assert.equal((store as unknown as Record<string, unknown>)['jobs'], undefined);
  assert.throws(() => executeStoreCall(ws, { repository: 'jobs', method: 'finish', args: [1, 'done'] }), /jobs cannot write "jobs"/);
  assert.throws(() => executeStoreCall(ws, { repository: 'models', method: 'constructor', args: [] }), /no method "constructor"/);
  assert.throws(() => executeStoreCall(ws, { repository: 'models', method: 'db', args: [] }), /no method "db"/);
});
