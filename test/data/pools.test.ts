// Pools and sampling: reproducible per seed, stratified, nested samples, and never a test row,
// whatever the caller passes in.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPoolSplit, importSource, PoolLeakError, sampleBalanced, splitPools, type PoolCandidate } from '../../main/data/index';
import { allocate } from '../../main/data/pools';
import { Workspace } from '../../main/store/index';
import { tempDir } from '../store/helpers';
import { nusaxTree, writeTree } from './fixtures';

/** 500 training candidates with NusaX's label mix (192/119/189), plus a few test rows. */
function candidates(): PoolCandidate[] {
  const labels = [...Array(192).fill('negative'), ...Array(119).fill('neutral'), ...Array(189).fill('positive')] as string[];
  return labels.map((label, i) => ({ sourceId: String(i), label, split: 'train' }));
}
const tally = (xs: readonly PoolCandidate[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x.label] = (m[x.label] ?? 0) + 1), m), {});
const ids = (xs: readonly PoolCandidate[]) => xs.map((x) => x.sourceId);

test('the paper split: 400/100, disjoint, stratified by label, reproducible per seed', () => {
  const all = candidates();
  const a = splitPools(all, 7);
  assert.equal(a.discovery.length, 400);
  assert.equal(a.tuning.length, 100);
  assert.equal(new Set([...ids(a.discovery), ...ids(a.tuning)]).size, 500, 'disjoint');
  assert.deepEqual(tally(a.tuning), { negative: 38, neutral: 24, positive: 38 });
  assert.deepEqual(tally(a.discovery), { negative: 154, neutral: 95, positive: 151 });
  assert.deepEqual(splitPools([...all].reverse(), 7), a, 'input order does not matter');
  assert.notDeepEqual(ids(splitPools(all, 8).tuning), ids(a.tuning), 'another seed, another split');
});

test('a test or validation row offered to a pool or a sample is refused, never filtered quietly', () => {
  const all = candidates();
  const leaked = [...all, { sourceId: 'x', label: 'neutral', split: 'test' }];
  assert.throws(() => splitPools(leaked, 1), PoolLeakError);
  assert.throws(() => splitPools([...all, { sourceId: 'v', label: 'neutral', split: 'valid' }], 1), PoolLeakError);
  assert.throws(() => sampleBalanced(leaked, 10, 1), PoolLeakError);
  assert.throws(() => splitPools(all.slice(0, 450), 1), /need 500 training examples; there are 450/);
});

test('balanced samples: counts differ by at most one, and smaller samples nest in larger ones', () => {
  const { tuning } = splitPools(candidates(), 3);
  for (const n of [25, 50, 75, 100]) {
    const s = sampleBalanced(tuning, n, 11);
    const counts = Object.values(tally(s));
    assert.equal(s.length, n);
    if (n <= 72) assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `n=${n}: ${JSON.stringify(tally(s))}`);
    assert.deepEqual(ids(sampleBalanced(tuning, n, 11)), ids(s), 'reproducible');
  }
  assert.deepEqual(ids(sampleBalanced(tuning, 50, 11)).slice(0, 25), ids(sampleBalanced(tuning, 25, 11)), 'nested');
  assert.deepEqual(tally(sampleBalanced(tuning, 100, 11)), tally(tuning), 'n = pool takes the whole pool');
  assert.throws(() => sampleBalanced(tuning, 101, 11), /cannot sample 101/);
});

test('largest-remainder allocation honours totals and caps', () => {
  assert.deepEqual(allocate(100, [192, 119, 189], [192, 119, 189]), [38, 24, 38]);
  assert.deepEqual(allocate(5, [1, 1, 10], [1, 1, 10]), [1, 0, 4], 'ties go to the first group');
  assert.deepEqual(allocate(4, [10, 10], [1, 10]), [1, 3], 'a capped group passes its share on');
  assert.throws(() => allocate(5, [1, 1], [2, 2]), /cannot place 5/);
});

test('pool splits in a workspace: training rows only, the same ids in every parallel language', (t) => {
  const root = tempDir(t);
  writeTree(join(root, 'nusax'), nusaxTree(['javanese', 'indonesian'], { train: 30, valid: 6, test: 12 }));
  const dir = join(root, 'ws');
  assert.equal(importSource(dir, join(root, 'nusax'), { acceptWarnings: true }).status, 'imported');
  const ws = Workspace.open(dir);
  t.after(() => ws.close());
  const ds = ws.datasets.list()[0]!;
  const sizes = { discoverySize: 20, tuningSize: 10 };
  const jav = createPoolSplit(ws, ds.id, 'jav', 4, sizes);
  const ind = createPoolSplit(ws, ds.id, 'ind', 4, sizes);
  assert.equal(createPoolSplit(ws, ds.id, 'jav', 4, sizes).id, jav.id, 'asking again finds the same split');
  for (const pool of ['discovery', 'tuning'] as const) {
    const members = ws.pools.members(jav.id, pool);
    assert.ok(members.every((e) => e.split === 'train' && e.language === 'jav'));
    assert.deepEqual(members.map((e) => e.sourceId), ws.pools.members(ind.id, pool).map((e) => e.sourceId), 'parallel languages, same partition');
  }
  const testIds = new Set(ws.examples.list(ds.id, { split: 'test' }).map((e) => e.id));
  const pooled = ws.db.prepare('SELECT example_id FROM pool_members').pluck().all() as number[];
  assert.equal(pooled.length, 60);
  assert.ok(pooled.every((id) => !testIds.has(id)));
  assert.throws(() => createPoolSplit(ws, ds.id, 'jav', 5, { discoverySize: 25, tuningSize: 10 }), /need 35 training examples; there are 30/);
});
