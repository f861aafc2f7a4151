// The order training examples are visited in: a fresh seeded permutation per epoch, and each step's
// batch a pure function of (seed, step). That is what lets a resumed job compute exactly what an
// uninterrupted one would have (docs/jobs.md, rule 1).

import { derivedSeed } from '../data/pools';
import { Rng } from '../engine/random';
import { stepsPerEpoch } from './recipe';

/** A permutation of 0..count-1 for one epoch (0-based), from the run's seed. */
export function epochOrder(count: number, seed: number, epoch: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  return new Rng(derivedSeed(seed, `data-order:${epoch}`)).shuffle(order);
}

/** Indices of the examples in 1-based step `step`: the epoch's permutation, cut into batches. */
export function batchIndices(count: number, batchSize: number, seed: number, step: number): number[] {
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`steps are 1-based integers, got ${step}`);
  const perEpoch = stepsPerEpoch(count, batchSize);
  const epoch = Math.floor((step - 1) / perEpoch);
  const within = (step - 1) % perEpoch;
  return epochOrder(count, seed, epoch).slice(within * batchSize, (within + 1) * batchSize);
}
