// Corrected labels as a new dataset version: every example of the reviewed dataset is copied into a
// new dataset, reviewed items get the label the submitted answers decide (by majority, or by an
// adjudicator's answer where they gave one), and a dataset_versions row records the parent, the
// review, the annotators, the rule and every label that changed. The parent is never modified, so a
// retrain on the version can always be compared with one on the original.

import { createHash } from 'node:crypto';
import type { DatasetRecord, DatasetVersionRecord, NewExample, ReviewAnswerRecord, Workspace } from '../store/index';
import { ReviewRuleError } from '../store/index';

export type CorrectionRule = 'majority' | 'adjudicator';

export interface CorrectedVersionRequest {
  reviewId: number;
  name: string;
  rule: CorrectionRule;
  /** Whose answer decides under the `adjudicator` rule (a submitted member). */
  adjudicatorId?: number;
  /** `drop`: leave out examples any submitted annotator flagged. */
  flagged: 'keep' | 'drop';
  createdBy: number;
}

export interface LabelChange {
  exampleId: number;
  sourceId: string;
  language: string;
  split: string;
  from: string;
  to: string;
}

export interface CorrectedVersion {
  dataset: DatasetRecord;
  version: DatasetVersionRecord;
  changed: number;
  dropped: number;
  /** Reviewed items where the answers had no single most common label (the gold label was kept). */
  ties: number;
}

/**
 * The label the answers decide for one item, or null when they decide nothing (no labels, or a tie
 * for the most common label): a plurality with a unique winner.
 */
export function majorityLabel(labels: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0 || (ranked.length > 1 && ranked[0]![1] === ranked[1]![1])) return null;
  return ranked[0]![0];
}

export function createCorrectedVersion(ws: Workspace, req: CorrectedVersionRequest): CorrectedVersion {
  const review = ws.reviews.get(req.reviewId);
  if (!review) throw new ReviewRuleError('not-found', `no review ${req.reviewId} in this workspace`);
  const parent = ws.datasets.get(review.datasetId)!;
  const submitted = ws.reviews.members(review.id).filter((m) => m.submittedAt !== null);
  if (submitted.length === 0) throw new ReviewRuleError('conflict', `nobody has submitted review "${review.name}" yet: there are no corrections to apply`);
  if (req.rule === 'adjudicator' && !submitted.some((m) => m.annotatorId === req.adjudicatorId)) {
    throw new ReviewRuleError('rejected', 'the adjudicator must be an annotator who submitted this review');
  }
  if (ws.datasets.byName(req.name)) throw new ReviewRuleError('conflict', `a dataset named "${req.name}" already exists`);

  const answers = new Map<number, ReviewAnswerRecord[]>();
  for (const a of ws.reviews.submittedAnswers(review.id)) answers.set(a.exampleId, [...(answers.get(a.exampleId) ?? []), a]);
  const decide = (exampleId: number): string | null => {
    const mine = answers.get(exampleId) ?? [];
    const adjudicated = req.rule === 'adjudicator' ? mine.find((a) => a.annotatorId === req.adjudicatorId)?.label : null;
    return adjudicated ?? majorityLabel(mine.flatMap((a) => (a.label === null ? [] : [a.label])));
  };

  const reviewed = new Set(ws.reviews.items(review.id).map((i) => i.exampleId));
  const changes: LabelChange[] = [];
  const examples: NewExample[] = [];
  let dropped = 0;
  let ties = 0;
  for (const e of ws.examples.list(parent.id)) {
    const { id, datasetId: _parentId, ...copy } = e;
    if (reviewed.has(id)) {
      if (req.flagged === 'drop' && (answers.get(id) ?? []).some((a) => a.flagged)) {
        dropped++;
        continue;
      }
      const decided = decide(id);
      if (decided === null) ties++;
      if (decided !== null && decided !== e.label) {
        changes.push({ exampleId: id, sourceId: e.sourceId, language: e.language, split: e.split, from: e.label, to: decided });
        copy.label = decided;
      }
    }
    examples.push(copy);
  }

  const provenance = {
    kind: 'review-corrections',
    parent: { id: parent.id, name: parent.name, sourceHash: parent.sourceHash },
    review: { id: review.id, name: review.name, runId: review.runId, items: review.itemCount },
    annotators: submitted.map((m) => ({ id: m.annotatorId, name: m.name, role: m.role, submittedAt: m.submittedAt })),
    rule: req.rule,
    ...(req.rule === 'adjudicator' && { adjudicatorId: req.adjudicatorId }),
    flagged: req.flagged,
    createdBy: req.createdBy,
    counts: { examples: examples.length, changed: changes.length, dropped, ties },
    changes,
  };
  // The version's own content hash: the parent's data plus the decisions taken on it.
  const sourceHash = createHash('sha256').update(parent.sourceHash).update(JSON.stringify({ changes, dropped: req.flagged, rule: req.rule, review: review.id })).digest('hex');

  return ws.durably(() => {
    const dataset = ws.datasets.createWithExamples(
      { name: req.name, task: parent.task, labels: parent.labels, format: parent.format, sourcePath: parent.sourcePath, sourceHash, sourceFiles: parent.sourceFiles, licence: parent.licence },
      examples,
    );
    const version = ws.datasetVersions.record({ datasetId: dataset.id, parentId: parent.id, reviewId: review.id, provenance });
    return { dataset, version, changed: changes.length, dropped, ties };
  });
}
