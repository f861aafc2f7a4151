// The example sets discovery works on, drawn from the discovery pool with a seed: only examples the
// checkpoint predicts correctly, label-balanced (round-robin over classes, so counts differ by at most
// one), M for the mean baseline and a disjoint discovery set D when the pool allows.

import { Rng } from '../engine/random';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import type { Prediction } from '../models/classification/predictor';

export interface ExampleSets {
  mean: ClassificationExample[];
  discovery: ClassificationExample[];
  /** Correct predictions available, per label. */
  correctPerLabel: Record<string, number>;
  /** True when D had to reuse examples of M (too few correct predictions for two disjoint sets). */
  overlapping: boolean;
}

/** n examples label-balanced: shuffled per label (seeded), then taken round-robin over labels. */
export function balancedSample<T>(byLabel: ReadonlyMap<string, T[]>, n: number, rng: Rng): T[] {
  const queues = [...byLabel.keys()].sort().map((label) => rng.shuffle([...byLabel.get(label)!]));
  const out: T[] = [];
  while (out.length < n && queues.some((q) => q.length > 0)) {
    for (const q of queues) if (out.length < n && q.length > 0) out.push(q.shift()!);
  }
  return out;
}

export function selectExampleSets(
  pool: readonly ClassificationExample[],
  predictions: readonly Prediction[],
  sizes: { mean: number; discovery: number },
  seed: number,
): ExampleSets {
  const correct = new Set(predictions.filter((p) => p.gold !== null && p.label === p.gold).map((p) => p.id));
  const byLabel = new Map<string, ClassificationExample[]>();
  for (const e of pool) {
    if (!correct.has(e.id) || e.label == null) continue;
    byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), e]);
  }
  const correctPerLabel = Object.fromEntries([...byLabel].map(([l, xs]) => [l, xs.length]));
  const rng = new Rng(seed);
  const mean = balancedSample(byLabel, sizes.mean, rng);
  const taken = new Set(mean.map((e) => e.id));
  const rest = new Map([...byLabel].map(([l, xs]) => [l, xs.filter((e) => !taken.has(e.id))]));
  let discovery = balancedSample(rest, sizes.discovery, rng);
  const overlapping = discovery.length < sizes.discovery;
  if (overlapping) discovery = balancedSample(byLabel, sizes.discovery, new Rng(seed + 1));
  return { mean, discovery, correctPerLabel, overlapping };
}
