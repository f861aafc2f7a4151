// Choosing a review's queue: a run's stored predictions on one dataset, narrowed by language, split,
// the model's label, the gold label, the model's confidence and whether it agreed with the gold
// label. The result is frozen into the review when it is created, so later evaluations of the same
// run never change what annotators were asked to judge.

import type { QueueSource, Split, Workspace } from '../store/index';

export interface QueueFilters {
  languages?: readonly string[];
  splits?: readonly Split[];
  /** Only items the model labelled with one of these. */
  predicted?: readonly string[];
  /** Only items whose gold label is one of these. */
  gold?: readonly string[];
  /** Bounds on the model's confidence (its top label probability), inclusive. */
  minConfidence?: number;
  maxConfidence?: number;
  /** `disagree`: only the model's mistakes; `agree`: only its correct answers. */
  goldAgreement?: 'any' | 'agree' | 'disagree';
  /** At most this many items (the first in queue order). */
  limit?: number;
}

/** A stored prediction with the model's confidence in place of its raw scores. */
export type QueueCandidate = Omit<QueueSource, 'scores'> & { confidence: number | null };

/** Softmax of the stored label scores (logits), in the order of `labels`; {} when none are stored. */
export function labelProbabilities(scores: Readonly<Record<string, number>>, labels: readonly string[]): Record<string, number> {
  const present = labels.filter((l) => Number.isFinite(scores[l]));
  if (present.length === 0) return {};
  const max = Math.max(...present.map((l) => scores[l]!));
  const exp = present.map((l) => Math.exp(scores[l]! - max)); // shifted by the max: no overflow
  const total = exp.reduce((s, x) => s + x, 0);
  return Object.fromEntries(present.map((l, i) => [l, exp[i]! / total]));
}

export const confidenceOf = (probabilities: Readonly<Record<string, number>>): number | null => {
  const values = Object.values(probabilities);
  return values.length === 0 ? null : Math.max(...values);
};

/**
 * The predictions of `runId` on `datasetId` that pass `filters`, in a stable order (language, split,
 * example id). When the run was evaluated on the same split twice, the latest evaluation counts.
 */
export function selectQueue(ws: Workspace, runId: number, datasetId: number, labels: readonly string[], filters: QueueFilters): QueueCandidate[] {
  const rows = ws.reviews.predictionsOf(runId, datasetId);
  const within = (set: readonly string[] | undefined, value: string) => !set || set.length === 0 || set.includes(value);
  const seen = new Set<number>();
  const out: QueueCandidate[] = [];
  for (const row of rows) {
    if (seen.has(row.exampleId)) continue; // an older evaluation of an example already taken
    seen.add(row.exampleId);
    if (!within(filters.languages, row.language) || !within(filters.splits, row.split)) continue;
    if (!within(filters.predicted, row.predicted) || !within(filters.gold, row.gold)) continue;
    if (filters.goldAgreement === 'agree' && row.predicted !== row.gold) continue;
    if (filters.goldAgreement === 'disagree' && row.predicted === row.gold) continue;
    const confidence = confidenceOf(labelProbabilities(row.scores, labels));
    const bounded = filters.minConfidence !== undefined || filters.maxConfidence !== undefined;
    if (bounded && confidence === null) continue; // no scores stored: its confidence is unknown
    if (filters.minConfidence !== undefined && confidence! < filters.minConfidence) continue;
    if (filters.maxConfidence !== undefined && confidence! > filters.maxConfidence) continue;
    const { scores: _scores, ...candidate } = row;
    out.push({ ...candidate, confidence });
    if (filters.limit !== undefined && out.length >= filters.limit) break;
  }
  return out;
}
