// Pools and sampling, seeded and reproducible.
//
// splitPools: partitions one language's TRAINING examples into a discovery pool (Pool A: stage-1
// tuning, mean baselines, CD-T) and a held-out tuning pool (Pool B: stage-2 only), stratified by
// label, 400/100 by default as in the paper. Anything that is not a training example is refused
// with PoolLeakError: test rows never enter a pool (the store's triggers refuse them a second time).
//
// sampleBalanced: n examples, label counts differing by at most one while every label lasts. It
// draws a seeded label-round-robin order and takes a prefix, so the 25-example sample is inside the
// 50-example one for the same seed (few-shot curves compare like with like).
//
// Both sort their input by source id first, so the result depends only on (seed, source ids,
// labels), not on row order or database ids. Parallel corpora (NusaX) therefore get the same
// partition by id in every language.

import { Rng } from '../engine/random';
import { PoolLeakError, type ExampleRecord, type PoolSplitRecord, type Workspace } from '../store/index';

export { PoolLeakError } from '../store/index';

export interface PoolCandidate {
  sourceId: string;
  label: string;
  split: string;
}

export interface PoolSizes {
  discoverySize: number;
  tuningSize: number;
}

export const PAPER_POOL_SIZES: PoolSizes = { discoverySize: 400, tuningSize: 100 };

/** An independent stream per purpose, so the same user seed does not correlate pools and samples. */
export function derivedSeed(seed: number, purpose: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${purpose}:${seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export function compareSourceIds(a: string, b: string): number {
  const [na, nb] = [Number(a), Number(b)];
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertTrainingOnly(items: readonly PoolCandidate[]): void {
  const leak = items.find((c) => c.split !== 'train');
  if (leak) throw new PoolLeakError(`example "${leak.sourceId}" is in the ${leak.split} split; only training examples may enter a pool or a sample`);
}

function byLabel<T extends { sourceId: string; label: string }>(items: readonly T[]): Map<string, T[]> {
  const sorted = [...items].sort((a, b) => compareSourceIds(a.sourceId, b.sourceId));
  const groups = new Map<string, T[]>();
  for (const c of sorted) (groups.get(c.label) ?? groups.set(c.label, []).get(c.label)!).push(c);
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Splits `total` across groups in proportion to `weights`, never above `caps` (largest remainder). */
export function allocate(total: number, weights: readonly number[], caps: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum === 0 ? 0 : (total * w) / sum));
  const out = exact.map((x, i) => Math.min(Math.floor(x), caps[i]!));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((_, i) => i).sort((i, j) => exact[j]! - Math.floor(exact[j]!) - (exact[i]! - Math.floor(exact[i]!)) || i - j);
  while (left > 0) {
    const before = left;
    for (const i of order) {
      if (left === 0) break;
      if (out[i]! < caps[i]!) {
        out[i]!++;
        left--;
      }
    }
    if (left === before) throw new Error(`cannot place ${total} items within the caps ${caps.join(', ')}`);
  }
  return out;
}

export function splitPools<T extends PoolCandidate>(candidates: readonly T[], seed: number, sizes: PoolSizes = PAPER_POOL_SIZES): { discovery: T[]; tuning: T[] } {
  assertTrainingOnly(candidates);
  const { discoverySize, tuningSize } = sizes;
  if (!Number.isInteger(discoverySize) || !Number.isInteger(tuningSize) || discoverySize < 0 || tuningSize < 0) {
    throw new Error(`pool sizes must be non-negative integers, got ${discoverySize}/${tuningSize}`);
  }
  if (discoverySize + tuningSize > candidates.length) {
    throw new Error(`pools of ${discoverySize} + ${tuningSize} need ${discoverySize + tuningSize} training examples; there are ${candidates.length}`);
  }
  const rng = new Rng(derivedSeed(seed, 'pools'));
  const groups = [...byLabel(candidates).values()].map((g) => rng.shuffle(g));
  const sizesOf = groups.map((g) => g.length);
  const tuningQuota = allocate(tuningSize, sizesOf, sizesOf);
  const rest = sizesOf.map((n, i) => n - tuningQuota[i]!);
  const discoveryQuota = allocate(discoverySize, rest, rest);
  const tuning: T[] = [];
  const discovery: T[] = [];
  groups.forEach((g, i) => {
    tuning.push(...g.slice(0, tuningQuota[i]));
    discovery.push(...g.slice(tuningQuota[i], tuningQuota[i]! + discoveryQuota[i]!));
  });
  return { discovery: rng.shuffle(discovery), tuning: rng.shuffle(tuning) };
}

/** A seeded order in which labels take turns; any prefix is as label-balanced as the data allows. */
export function balancedOrder<T extends { sourceId: string; label: string }>(items: readonly T[], rng: Rng): T[] {
  const groups = [...byLabel(items).values()].map((g) => rng.shuffle(g));
  rng.shuffle(groups);
  const order: T[] = [];
  for (let k = 0; order.length < items.length; k++) for (const g of groups) if (k < g.length) order.push(g[k]!);
  return order;
}

export function sampleBalanced<T extends PoolCandidate>(pool: readonly T[], n: number, seed: number): T[] {
  assertTrainingOnly(pool);
  if (!Number.isInteger(n) || n < 0 || n > pool.length) throw new Error(`cannot sample ${n} examples from a pool of ${pool.length}`);
  return balancedOrder(pool, new Rng(derivedSeed(seed, 'sample'))).slice(0, n);
}

/** Creates (or finds, if the same one exists) the pool split of one language of a dataset. */
export function createPoolSplit(ws: Workspace, datasetId: number, language: string, seed: number, sizes: PoolSizes = PAPER_POOL_SIZES): PoolSplitRecord {
  const existing = ws.pools.find(datasetId, language, seed, sizes.discoverySize, sizes.tuningSize);
  if (existing) return existing;
  const train: ExampleRecord[] = ws.examples.list(datasetId, { language, split: 'train' });
  const { discovery, tuning } = splitPools(train, seed, sizes);
  return ws.pools.create({ datasetId, language, seed, discovery: discovery.map((e) => e.id), tuning: tuning.map((e) => e.id) });
}
