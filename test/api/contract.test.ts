// The API contract's validation: every call has schemas, bad payloads are refused with a clear
// message naming each offending field (never an exception), and defaults are filled in the same
// way for both hosts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_METHODS, apiContract, apiEvent, parseRequest, type ApiErrorBody } from '../../main/api/contract/index';

function refused(method: unknown, payload: unknown): ApiErrorBody {
  const parsed = parseRequest(method, payload);
  assert.equal(parsed.ok, false, `${String(method)} should refuse ${JSON.stringify(payload)}`);
  return (parsed as { error: ApiErrorBody }).error;
}

function accepted(method: string, payload: unknown): unknown {
  const parsed = parseRequest(method, payload);
  assert.ok(parsed.ok, `${method} should accept ${JSON.stringify(payload)}: ${parsed.ok ? '' : parsed.error.message}`);
  return parsed.request;
}

test('every listed call has a request and a response schema, and nothing else is in the contract', () => {
  assert.deepEqual(Object.keys(apiContract).sort(), [...API_METHODS].sort());
  for (const m of API_METHODS) {
    assert.equal(typeof apiContract[m].request.safeParse, 'function', m);
    assert.equal(typeof apiContract[m].response.safeParse, 'function', m);
  }
  assert.equal(new Set(API_METHODS).size, API_METHODS.length, 'no call is listed twice');
});

test('an unknown method is refused by name, whatever its type', () => {
  assert.deepEqual(refused('datasets.drop', {}), { code: 'unknown-method', message: 'there is no call named "datasets.drop"' });
  assert.equal(refused(42, {}).code, 'unknown-method');
  assert.equal(refused('__proto__', {}).code, 'unknown-method');
  assert.equal(refused('constructor', {}).code, 'unknown-method');
});

test('a missing payload counts as empty, which calls without arguments accept', () => {
  assert.deepEqual(accepted('datasets.list', undefined), {});
  assert.deepEqual(accepted('app.info', null), {});
  assert.equal(refused('datasets.examples', undefined).code, 'invalid-request');
});

test('bad payloads come back as invalid-request with every offending field named', () => {
  const path = refused('datasets.validate', { path: 'data/reviews.csv' });
  assert.equal(path.code, 'invalid-request');
  assert.match(path.message, /^invalid datasets\.validate request: path: must be an absolute path/);
  assert.deepEqual(path.issues?.map((i) => i.path), ['path']);

  const several = refused('circuits.discover', { modelId: 0, datasetId: 'one', language: 'jav', settings: { selectionRatio: 0, maxDepth: 9 } });
  assert.deepEqual(several.issues?.map((i) => i.path).sort(), ['datasetId', 'modelId', 'settings.maxDepth', 'settings.selectionRatio']);
  assert.match(several.message, /settings\.selectionRatio: must be above 0/);
  assert.ok(!several.message.includes('\n'), 'the message is one line');

  const extra = refused('jobs.cancel', { id: 3, force: true });
  assert.match(extra.message, /force/, 'an unknown key is named, not silently dropped');

  assert.match(refused('circuits.compare', { a: 4, b: 4 }).message, /b: choose two different circuits/);
  assert.match(refused('circuits.saveEdited', { baseId: 1, heads: [] }).message, /heads: a circuit needs at least one head/);
  assert.equal(refused('circuits.saveEdited', { baseId: 1, heads: [{ layer: -1, head: 0 }] }).issues?.[0]?.path, 'heads.0.layer');
  assert.equal(refused('datasets.examples', { datasetId: 1, limit: 100_000 }).issues?.[0]?.path, 'limit');
  assert.equal(refused('datasets.validate', { path: '/x', options: { labels: ['only-one'] } }).issues?.[0]?.message, 'give at least two labels');
  assert.equal(refused('datasets.validate', { path: '/x', options: { mapping: { txt: 'review' } } }).code, 'invalid-request');
  assert.equal(refused('workspace.open', {}).issues?.[0]?.path, 'dir');
  assert.equal(refused('dialogs.choosePath', { purpose: 'anything' }).issues?.[0]?.path, 'purpose');
  for (const id of [0, -1, 1.5, '3', null]) assert.equal(refused('jobs.resume', { id }).issues?.[0]?.path, 'id', `id ${String(id)}`);
  assert.equal(refused('datasets.list', 'everything').code, 'invalid-request', 'a payload must be an object');
});

test('absolute paths of every platform are accepted, and trimmed', () => {
  for (const p of ['/home/ana/data.csv', '~/data', 'C:\\data\\reviews.csv', 'D:/x', '\\\\server\\share\\x']) {
    assert.deepEqual(accepted('models.inspect', { path: p }), { path: p });
  }
  assert.deepEqual(accepted('models.inspect', { path: '  /m  ' }), { path: '/m' });
});

test('defaults are filled in: discovery settings follow the paper, pages are 50 rows', () => {
  const d = accepted('circuits.discover', { modelId: 1, datasetId: 2, language: 'jav' }) as { settings: Record<string, unknown>; device: string };
  assert.equal(d.device, 'auto');
  assert.equal(d.settings['selectionRatio'], 0.02);
  assert.equal(d.settings['maxDepth'], 2);
  assert.equal(d.settings['rankBy'], 'directional');
  assert.equal(d.settings['seed'], 31);
  assert.deepEqual(accepted('datasets.examples', { datasetId: 1 }), { datasetId: 1, offset: 0, limit: 50 });
  assert.deepEqual(accepted('datasets.import', { path: '/d' }), { path: '/d', options: {}, acceptWarnings: false });
  assert.deepEqual(apiContract['circuits.defaults'].response.parse({}), (accepted('circuits.discover', { modelId: 1, datasetId: 2, language: 'x' }) as { settings: unknown }).settings);
});

test('events are validated by their own schema', () => {
  assert.ok(apiEvent.safeParse({ type: 'job-log', jobId: 3, message: 'scoring heads' }).success);
  assert.ok(!apiEvent.safeParse({ type: 'job-log', jobId: 3 }).success);
  assert.ok(!apiEvent.safeParse({ type: 'job-exploded', jobId: 3 }).success);
});
