// Comparing two circuits (across seeds, languages or hand edits): which heads they share, their
// Jaccard index, and how alike the two runs ranked every head against the logits (Spearman ρ over
// the heads both runs scored at iteration 0).

import { headKey, type Head } from './heads';
import { spearman } from './selection';

export interface ComparableCircuit {
  heads: readonly Head[];
  /** Iteration-0 (logit) scores of every head the run scored. */
  logitScores: readonly (Head & { score: number })[];
  /** The model's grid; rank correlation needs the same one. */
  grid: { layers: number; heads: number } | null;
}

export interface CircuitComparisonResult {
  overlap: Head[];
  onlyA: Head[];
  onlyB: Head[];
  jaccard: number;
  rankCorrelation: number | null;
  rankedHeads: number;
  note: string | null;
}

const byPosition = (a: Head, b: Head) => a.layer - b.layer || a.head - b.head;
const plain = (h: Head): Head => ({ layer: h.layer, head: h.head });

export function compareCircuits(a: ComparableCircuit, b: ComparableCircuit): CircuitComparisonResult {
  const inA = new Set(a.heads.map(headKey));
  const inB = new Set(b.heads.map(headKey));
  const overlap = a.heads.filter((h) => inB.has(headKey(h))).map(plain).sort(byPosition);
  const onlyA = a.heads.filter((h) => !inB.has(headKey(h))).map(plain).sort(byPosition);
  const onlyB = b.heads.filter((h) => !inA.has(headKey(h))).map(plain).sort(byPosition);
  const union = new Set([...inA, ...inB]).size;
  const jaccard = union === 0 ? 0 : overlap.length / union;

  if (!a.grid || !b.grid || a.grid.layers !== b.grid.layers || a.grid.heads !== b.grid.heads) {
    return { overlap, onlyA, onlyB, jaccard, rankCorrelation: null, rankedHeads: 0, note: 'the circuits come from models of different shapes, so their head rankings cannot be correlated' };
  }
  const scoresB = new Map(b.logitScores.map((s) => [headKey(s), s.score]));
  const shared = a.logitScores.filter((s) => scoresB.has(headKey(s)));
  if (shared.length < 3) {
    return { overlap, onlyA, onlyB, jaccard, rankCorrelation: null, rankedHeads: shared.length, note: 'fewer than three heads were scored by both runs' };
  }
  const rho = spearman(
    shared.map((s) => s.score),
    shared.map((s) => scoresB.get(headKey(s))!),
  );
  return { overlap, onlyA, onlyB, jaccard, rankCorrelation: rho, rankedHeads: shared.length, note: null };
}
