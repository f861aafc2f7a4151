// Choosing heads from scores: the top p% per iteration, and the control sets of the same size that
// CT-SFT is compared against (random, least relevant, near-zero relevance).

import { Rng } from '../engine/random';
import { headKey, type Head } from './heads';

/** Heads kept per iteration: ⌊p · all heads⌋ (2% of Qwen2.5-0.5B's 336 → 6), at least one. */
export function selectionSize(totalHeads: number, ratio: number): number {
  return Math.max(1, Math.floor(ratio * totalHeads + 1e-9));
}

const byPosition = (a: Head, b: Head) => a.layer - b.layer || a.head - b.head;

/** The k eligible heads with the highest scores (ties: earlier layer, then lower head index). */
export function topHeads(scores: ReadonlyMap<string, number>, eligible: readonly Head[], k: number): Head[] {
  return eligible
    .filter((h) => Number.isFinite(scores.get(headKey(h))))
    .sort((a, b) => scores.get(headKey(b))! - scores.get(headKey(a))! || byPosition(a, b))
    .slice(0, k);
}

export interface ComparisonSets {
  random: Head[];
  leastRelevant: Head[];
  nearZero: Head[];
}

/**
 * Controls with the circuit's size, never containing circuit heads: `random` (seeded), the heads with
 * the lowest logit relevance (`leastRelevant`), and those whose relevance is closest to zero (`nearZero`).
 */
export function comparisonSets(all: readonly Head[], logitScores: ReadonlyMap<string, number>, circuit: readonly Head[], seed: number): ComparisonSets {
  const inCircuit = new Set(circuit.map(headKey));
  const others = all.filter((h) => !inCircuit.has(headKey(h)));
  const k = Math.min(circuit.length, others.length);
  const score = (h: Head) => logitScores.get(headKey(h)) ?? 0;
  return {
    random: randomDraws(all, circuit, seed, 1)[0]!,
    leastRelevant: [...others].sort((a, b) => score(a) - score(b) || byPosition(a, b)).slice(0, k),
    nearZero: [...others].sort((a, b) => Math.abs(score(a)) - Math.abs(score(b)) || byPosition(a, b)).slice(0, k),
  };
}

/**
 * `count` seeded random sets of the circuit's size drawn from the heads outside it (a null distribution
 * for faithfulness); the first is the `random` control. Draws may repeat on a small model.
 */
export function randomDraws(all: readonly Head[], circuit: readonly Head[], seed: number, count: number): Head[][] {
  const inCircuit = new Set(circuit.map(headKey));
  const others = all.filter((h) => !inCircuit.has(headKey(h)));
  const k = Math.min(circuit.length, others.length);
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => rng.shuffle([...others]).slice(0, k).sort(byPosition));
}

/** Spearman's rank correlation (ties get their average rank). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const ranks = (xs: readonly number[]) => {
    const order = xs.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(xs.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
      for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const [ra, rb] = [ranks(a), ranks(b)];
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let num = 0;
  let da = 0;
  let db = 0;
  ra.forEach((x, i) => {
    num += (x - ma) * (rb[i]! - mb);
    da += (x - ma) ** 2;
    db += (rb[i]! - mb) ** 2;
  });
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}
