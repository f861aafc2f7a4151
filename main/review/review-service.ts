// The review round as one caller sees it. Every function takes the caller (an annotators row with
// its role) and applies the round's rules for them: only an owner creates rounds and exports
// corrected labels; anyone may answer; the gold label is shown only when the round says so (or
// after submitting); other people's answers and the agreement only once the caller has submitted
// (or to an owner not taking part). The SQL side of the hiding is in ReviewRepository.

import type { ReviewAnswerInput, ReviewAnswerRecord, ReviewRecord, Workspace } from '../store/index';
import { ReviewRuleError } from '../store/index';
import { createCorrectedVersion, type CorrectedVersion, type CorrectionRule } from './corrected-version';
import { confidenceOf, labelProbabilities, selectQueue, type QueueFilters } from './queue';
import { reviewAgreement, type ReviewAgreement } from './review-agreement';

export interface ReviewCaller {
  annotatorId: number;
  role: 'owner' | 'annotator';
}

export interface NewReviewRequest {
  name: string;
  runId: number;
  datasetId: number;
  filters: QueueFilters;
  showGold: boolean;
}

export interface ReviewView {
  id: number;
  name: string;
  runId: number;
  runName: string | null;
  datasetId: number;
  datasetName: string;
  labels: string[];
  filters: Record<string, unknown>;
  showGold: boolean;
  createdAt: string;
  itemCount: number;
  members: { annotatorId: number; name: string; role: 'owner' | 'annotator'; submittedAt: string | null; answered: number }[];
  /** The caller's own standing in the round. */
  me: { member: boolean; answered: number; submittedAt: string | null; maySeeOthers: boolean };
  /** Datasets made from this round's corrections. */
  versions: { datasetId: number; name: string; createdAt: string }[];
}

export interface ReviewItemView {
  position: number;
  exampleId: number;
  sourceId: string;
  language: string;
  split: string;
  text: string | null;
  premise: string | null;
  hypothesis: string | null;
  predicted: string;
  probabilities: Record<string, number>;
  confidence: number | null;
  /** Null unless the round shows gold labels or the caller has submitted. */
  gold: string | null;
  answer: ReviewAnswerInput | null;
}

const forbidden = (what: string) => new ReviewRuleError('forbidden', `${what} is for the workspace's owner`);

function requireReview(ws: Workspace, id: number): ReviewRecord {
  const review = ws.reviews.get(id);
  if (!review) throw new ReviewRuleError('not-found', `no review ${id} in this workspace`);
  return review;
}

export function createReview(ws: Workspace, caller: ReviewCaller, req: NewReviewRequest): ReviewView {
  if (caller.role !== 'owner') throw forbidden('creating a review');
  const run = ws.runs.get(req.runId);
  if (!run) throw new ReviewRuleError('not-found', `no run ${req.runId} in this workspace`);
  const dataset = ws.datasets.get(req.datasetId);
  if (!dataset) throw new ReviewRuleError('not-found', `no dataset ${req.datasetId} in this workspace`);
  if (ws.reviews.byName(req.name)) throw new ReviewRuleError('conflict', `a review named "${req.name}" already exists`);
  const { minConfidence, maxConfidence } = req.filters;
  if (minConfidence !== undefined && maxConfidence !== undefined && minConfidence > maxConfidence) {
    throw new ReviewRuleError('rejected', 'the lowest confidence is above the highest');
  }
  const queue = selectQueue(ws, run.id, dataset.id, dataset.labels, req.filters);
  const review = ws.reviews.create({
    name: req.name,
    runId: run.id,
    datasetId: dataset.id,
    labels: dataset.labels,
    filters: { ...req.filters },
    showGold: req.showGold,
    createdBy: caller.annotatorId,
    items: queue,
  });
  return reviewView(ws, caller, review);
}

export function reviewView(ws: Workspace, caller: ReviewCaller, review: ReviewRecord): ReviewView {
  const members = ws.reviews.members(review.id);
  const mine = members.find((m) => m.annotatorId === caller.annotatorId);
  return {
    ...review,
    runName: ws.runs.get(review.runId)?.name ?? null,
    datasetName: ws.datasets.get(review.datasetId)?.name ?? `dataset ${review.datasetId}`,
    members: members.map(({ annotatorId, name, role, submittedAt, answered }) => ({ annotatorId, name, role, submittedAt, answered })),
    me: {
      member: mine !== undefined,
      answered: mine?.answered ?? 0,
      submittedAt: mine?.submittedAt ?? null,
      maySeeOthers: ws.reviews.maySeeOthers(review.id, caller.annotatorId),
    },
    versions: ws.datasetVersions.fromReview(review.id).map((v) => {
      const d = ws.datasets.get(v.datasetId)!;
      return { datasetId: d.id, name: d.name, createdAt: v.createdAt };
    }),
  };
}

export const listReviews = (ws: Workspace, caller: ReviewCaller): ReviewView[] => ws.reviews.list().map((r) => reviewView(ws, caller, r));

export const getReview = (ws: Workspace, caller: ReviewCaller, id: number): ReviewView => reviewView(ws, caller, requireReview(ws, id));

/** The queue with the caller's own answers (never anyone else's). */
export function reviewItems(ws: Workspace, caller: ReviewCaller, id: number): ReviewItemView[] {
  const review = requireReview(ws, id);
  const own = new Map(ws.reviews.ownAnswers(review.id, caller.annotatorId).map((a) => [a.exampleId, a]));
  const showGold = review.showGold || ws.reviews.member(review.id, caller.annotatorId)?.submittedAt != null;
  return ws.reviews.items(review.id).map((item) => {
    const probabilities = labelProbabilities(item.scores, review.labels);
    const answer = own.get(item.exampleId);
    return {
      position: item.position,
      exampleId: item.exampleId,
      sourceId: item.sourceId,
      language: item.language,
      split: item.split,
      text: item.text,
      premise: item.premise,
      hypothesis: item.hypothesis,
      predicted: item.predicted,
      probabilities,
      confidence: confidenceOf(probabilities),
      gold: showGold ? item.gold : null,
      answer: answer ? { label: answer.label, flagged: answer.flagged, note: answer.note } : null,
    };
  });
}

export function saveAnswer(ws: Workspace, caller: ReviewCaller, id: number, exampleId: number, input: ReviewAnswerInput): ReviewAnswerRecord | null {
  return ws.reviews.answer(requireReview(ws, id).id, caller.annotatorId, exampleId, input);
}

export function submitReview(ws: Workspace, caller: ReviewCaller, id: number): ReviewView {
  const review = requireReview(ws, id);
  ws.reviews.submit(review.id, caller.annotatorId);
  return reviewView(ws, caller, review);
}

/** Other members' submitted answers, for a caller who may see them. */
export function visibleAnswers(ws: Workspace, caller: ReviewCaller, id: number): ReviewAnswerRecord[] {
  const review = requireReview(ws, id);
  if (!ws.reviews.maySeeOthers(review.id, caller.annotatorId)) {
    throw new ReviewRuleError('forbidden', 'other annotators’ answers are shown once you have submitted yours');
  }
  return ws.reviews.answersVisibleTo(review.id, caller.annotatorId);
}

/** Agreement over the submitted answers; hidden, like the answers, until the caller may see them. */
export function agreementOf(ws: Workspace, caller: ReviewCaller, id: number): ReviewAgreement & { annotatorNames: string[] } {
  const review = requireReview(ws, id);
  if (!ws.reviews.maySeeOthers(review.id, caller.annotatorId)) {
    throw new ReviewRuleError('forbidden', 'the agreement is shown once you have submitted your answers');
  }
  const submitted = ws.reviews.members(review.id).filter((m) => m.submittedAt !== null);
  const agreement = reviewAgreement({
    labels: review.labels,
    items: ws.reviews.items(review.id),
    annotators: submitted.map((m) => m.annotatorId),
    answers: ws.reviews.submittedAnswers(review.id),
  });
  return { ...agreement, annotatorNames: submitted.map((m) => m.name) };
}

export function exportCorrectedVersion(
  ws: Workspace,
  caller: ReviewCaller,
  req: { reviewId: number; name?: string; rule: CorrectionRule; adjudicatorId?: number; flagged: 'keep' | 'drop' },
): CorrectedVersion {
  if (caller.role !== 'owner') throw forbidden('exporting corrected labels');
  const review = requireReview(ws, req.reviewId);
  const parent = ws.datasets.get(review.datasetId)!;
  return createCorrectedVersion(ws, {
    reviewId: review.id,
    name: req.name ?? `${parent.name} · ${review.name}`,
    rule: req.rule,
    ...(req.adjudicatorId !== undefined && { adjudicatorId: req.adjudicatorId }),
    flagged: req.flagged,
    createdBy: caller.annotatorId,
  });
}

export interface ReviewSource {
  runId: number;
  runName: string | null;
  runKind: string;
  datasetId: number;
  datasetName: string;
  labels: string[];
  /** Stored evaluations of this run on this dataset. */
  evaluations: { language: string; split: string; count: number; accuracy: number | null }[];
}

/** What a review can be made from: each run's evaluations, grouped by dataset. */
export function reviewSources(ws: Workspace): ReviewSource[] {
  const out: ReviewSource[] = [];
  for (const run of ws.runs.list()) {
    const byDataset = new Map<number, ReviewSource['evaluations']>();
    for (const e of ws.evaluations.byRun(run.id)) {
      byDataset.set(e.datasetId, [...(byDataset.get(e.datasetId) ?? []), { language: e.language, split: e.split, count: e.count, accuracy: e.accuracy }]);
    }
    for (const [datasetId, evaluations] of byDataset) {
      const d = ws.datasets.get(datasetId);
      if (d) out.push({ runId: run.id, runName: run.name, runKind: run.kind, datasetId, datasetName: d.name, labels: d.labels, evaluations });
    }
  }
  return out.reverse(); // newest run first
}
