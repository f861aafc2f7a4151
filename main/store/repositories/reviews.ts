// Review rounds: a frozen queue of a run's predictions on a dataset, its members and their answers.
// The rules that keep a round blind live here, next to the SQL, so every caller gets them:
// an answer is for an item of the queue and a label of the review; a member's answers lock when they
// submit (the database's triggers refuse changes too); and another member's answers are readable
// only once the reader has submitted (or is an owner who is not taking part) and that member has.

import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { durableTransaction } from '../connection';
import { fromJson, jsonObject, toJson, type JsonObject } from '../json-column';
import type { AnnotatorRole } from './annotations';
import type { Split } from './datasets';
import type { NewExample } from './examples';

export interface NewReview {
  name: string;
  runId: number;
  datasetId: number;
  labels: readonly string[];
  /** The filters that chose the queue, kept to show how it was made. */
  filters: JsonObject;
  showGold: boolean;
  createdBy: number | null;
  /** The queue in order; frozen from here on. */
  items: readonly { evaluationId: number; exampleId: number }[];
}

export interface ReviewRecord {
  id: number;
  name: string;
  runId: number;
  datasetId: number;
  labels: string[];
  filters: JsonObject;
  showGold: boolean;
  createdBy: number | null;
  createdAt: string;
  itemCount: number;
}

/** An item of a review's queue: the example's text fields with the stored prediction. */
export interface ReviewItemRecord extends Pick<NewExample, 'sourceId' | 'language' | 'split' | 'text' | 'premise' | 'hypothesis'> {
  position: number;
  evaluationId: number;
  exampleId: number;
  gold: string;
  predicted: string;
  /** Label → the model's score (label-word logit) as the evaluation stored it. */
  scores: Record<string, number>;
}

/** A stored prediction a queue can be chosen from. */
export interface QueueSource {
  evaluationId: number;
  exampleId: number;
  language: string;
  split: Split;
  gold: string;
  predicted: string;
  scores: Record<string, number>;
}

export interface ReviewMemberRecord {
  annotatorId: number;
  name: string;
  role: AnnotatorRole;
  joinedAt: string;
  submittedAt: string | null;
  /** Items this member has answered (a count only: it reveals no answer). */
  answered: number;
}

export interface ReviewAnswerInput {
  label: string | null;
  flagged: boolean;
  note: string | null;
}

export interface ReviewAnswerRecord extends ReviewAnswerInput {
  annotatorId: number;
  exampleId: number;
  updatedAt: string;
}

/** A rule of the round was broken; `kind` says how a host should answer. */
export class ReviewRuleError extends Error {
  override name = 'ReviewRuleError';
  constructor(
    readonly kind: 'not-found' | 'conflict' | 'rejected' | 'forbidden',
    message: string,
  ) {
    super(message);
  }
}

type ReviewRow = Omit<ReviewRecord, 'labels' | 'filters' | 'showGold'> & { labels: string; filters: string; showGold: number };
const REVIEW_COLUMNS = `r.id, r.name, r.run_id AS runId, r.dataset_id AS datasetId, r.labels, r.filters, r.show_gold AS showGold,
  r.created_by AS createdBy, r.created_at AS createdAt, (SELECT count(*) FROM review_items i WHERE i.review_id = r.id) AS itemCount`;
const toReview = (row: ReviewRow): ReviewRecord => ({
  ...row,
  labels: fromJson(z.array(z.string()), row.labels, 'review labels'),
  filters: fromJson(jsonObject, row.filters, 'review filters'),
  showGold: row.showGold === 1,
});
const scoreMap = z.record(z.string(), z.number());
const ANSWER_COLUMNS = `a.annotator_id AS annotatorId, a.example_id AS exampleId, a.label, a.flagged, a.note, a.updated_at AS updatedAt`;
type AnswerRow = Omit<ReviewAnswerRecord, 'flagged'> & { flagged: number };
const toAnswer = (row: AnswerRow): ReviewAnswerRecord => ({ ...row, flagged: row.flagged === 1 });

/** Whether @reader may read other members' (submitted) answers of review @review. */
const READER_MAY_SEE_OTHERS = `(EXISTS (SELECT 1 FROM review_members WHERE review_id = @review AND annotator_id = @reader AND submitted_at IS NOT NULL)
  OR (NOT EXISTS (SELECT 1 FROM review_members WHERE review_id = @review AND annotator_id = @reader)
      AND (SELECT role FROM annotators WHERE id = @reader) = 'owner'))`;

export class ReviewRepository {
  constructor(private readonly db: Database) {}

  /** Stores the review and its frozen queue in one fsynced transaction. */
  create(r: NewReview): ReviewRecord {
    if (r.items.length === 0) throw new ReviewRuleError('rejected', 'no predictions match these filters: the review would be empty');
    return durableTransaction(this.db, () => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO reviews (name, run_id, dataset_id, labels, filters, show_gold, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(r.name, r.runId, r.datasetId, toJson(r.labels), toJson(r.filters), r.showGold ? 1 : 0, r.createdBy);
      const id = Number(lastInsertRowid);
      const insert = this.db.prepare('INSERT INTO review_items (review_id, position, evaluation_id, example_id) VALUES (?, ?, ?, ?)');
      r.items.forEach((item, position) => insert.run(id, position, item.evaluationId, item.exampleId));
      return this.get(id)!;
    });
  }

  get(id: number): ReviewRecord | undefined {
    const row = this.db.prepare(`SELECT ${REVIEW_COLUMNS} FROM reviews r WHERE r.id = ?`).get(id) as ReviewRow | undefined;
    return row && toReview(row);
  }

  byName(name: string): ReviewRecord | undefined {
    const row = this.db.prepare(`SELECT ${REVIEW_COLUMNS} FROM reviews r WHERE r.name = ?`).get(name) as ReviewRow | undefined;
    return row && toReview(row);
  }

  list(): ReviewRecord[] {
    return (this.db.prepare(`SELECT ${REVIEW_COLUMNS} FROM reviews r ORDER BY r.id DESC`).all() as ReviewRow[]).map(toReview);
  }

  /**
   * Every stored prediction of `runId` on `datasetId` with the example's language, split and gold
   * label, ordered by language, split and example, the newest evaluation of an example first.
   */
  predictionsOf(runId: number, datasetId: number): QueueSource[] {
    const rows = this.db
      .prepare(
        `SELECT p.evaluation_id AS evaluationId, p.example_id AS exampleId, x.language, x.split, x.label AS gold, p.predicted, p.scores
         FROM predictions p JOIN evaluations v ON v.id = p.evaluation_id JOIN examples x ON x.id = p.example_id
         WHERE v.run_id = ? AND v.dataset_id = ? AND x.dataset_id = v.dataset_id
         ORDER BY x.language, x.split, x.id, v.id DESC`,
      )
      .all(runId, datasetId) as (Omit<QueueSource, 'scores'> & { scores: string })[];
    return rows.map((r) => ({ ...r, scores: fromJson(scoreMap, r.scores, 'prediction scores') }));
  }

  /** The queue in order, with each item's text, gold label and the model's answer. */
  items(reviewId: number): ReviewItemRecord[] {
    const rows = this.db
      .prepare(
        `SELECT i.position, i.evaluation_id AS evaluationId, i.example_id AS exampleId, e.source_id AS sourceId, e.language, e.split,
           e.text, e.premise, e.hypothesis, e.label AS gold, p.predicted, p.scores
         FROM review_items i JOIN examples e ON e.id = i.example_id
           JOIN predictions p ON p.evaluation_id = i.evaluation_id AND p.example_id = i.example_id
         WHERE i.review_id = ? ORDER BY i.position`,
      )
      .all(reviewId) as (Omit<ReviewItemRecord, 'scores'> & { scores: string })[];
    return rows.map((r) => ({ ...r, scores: fromJson(scoreMap, r.scores, 'prediction scores') }));
  }

  members(reviewId: number): ReviewMemberRecord[] {
    return this.db
      .prepare(
        `SELECT m.annotator_id AS annotatorId, n.name, n.role, m.joined_at AS joinedAt, m.submitted_at AS submittedAt,
           (SELECT count(*) FROM annotations a WHERE a.review_id = m.review_id AND a.annotator_id = m.annotator_id) AS answered
         FROM review_members m JOIN annotators n ON n.id = m.annotator_id WHERE m.review_id = ? ORDER BY m.joined_at, m.annotator_id`,
      )
      .all(reviewId) as ReviewMemberRecord[];
  }

  member(reviewId: number, annotatorId: number): ReviewMemberRecord | undefined {
    return this.members(reviewId).find((m) => m.annotatorId === annotatorId);
  }

  /** Makes the annotator a member (idempotent). */
  join(reviewId: number, annotatorId: number): ReviewMemberRecord {
    const review = this.require(reviewId);
    const existing = this.member(reviewId, annotatorId);
    if (existing) return existing;
    // an owner outside a round may read its submitted answers; answering after that would not be blind
    if (this.maySeeOthers(reviewId, annotatorId) && this.members(reviewId).some((m) => m.submittedAt !== null)) {
      throw new ReviewRuleError(
        'conflict',
        `answers in review "${review.name}" have been submitted and you could read them as its owner, so your own answers would not be blind; start a new round to take part`,
      );
    }
    this.db.prepare('INSERT INTO review_members (review_id, annotator_id) VALUES (?, ?)').run(reviewId, annotatorId);
    return this.member(reviewId, annotatorId)!;
  }

  /**
   * Sets the annotator's whole answer for one item (joining the review if needed); an answer with no
   * label, no flag and no note removes it, which is how an undo back to "unanswered" is stored.
   */
  answer(reviewId: number, annotatorId: number, exampleId: number, input: ReviewAnswerInput): ReviewAnswerRecord | null {
    const review = this.require(reviewId);
    if (input.label !== null && !review.labels.includes(input.label)) {
      throw new ReviewRuleError('rejected', `"${input.label}" is not a label of this review (${review.labels.join(', ')})`);
    }
    const item = this.db.prepare('SELECT evaluation_id AS evaluationId FROM review_items WHERE review_id = ? AND example_id = ?').get(reviewId, exampleId) as
      | { evaluationId: number }
      | undefined;
    if (!item) throw new ReviewRuleError('not-found', `example ${exampleId} is not in review "${review.name}"`);
    return durableTransaction(this.db, () => {
      if (this.join(reviewId, annotatorId).submittedAt !== null) {
        throw new ReviewRuleError('conflict', `you have submitted review "${review.name}"; your answers are locked`);
      }
      const empty = input.label === null && !input.flagged && (input.note === null || input.note === '');
      if (empty) {
        this.db.prepare('DELETE FROM annotations WHERE review_id = ? AND annotator_id = ? AND example_id = ?').run(reviewId, annotatorId, exampleId);
        return null;
      }
      this.db
        .prepare(
          `INSERT INTO annotations (annotator_id, example_id, evaluation_id, review_id, label, flagged, note) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (review_id, annotator_id, example_id) WHERE review_id IS NOT NULL DO UPDATE SET label = excluded.label,
             flagged = excluded.flagged, note = excluded.note, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
        )
        .run(annotatorId, exampleId, item.evaluationId, reviewId, input.label, input.flagged ? 1 : 0, input.note === '' ? null : input.note);
      return this.ownAnswers(reviewId, annotatorId).find((a) => a.exampleId === exampleId)!;
    });
  }

  /** The annotator's own answers (always readable by them). */
  ownAnswers(reviewId: number, annotatorId: number): ReviewAnswerRecord[] {
    const rows = this.db
      .prepare(`SELECT ${ANSWER_COLUMNS} FROM annotations a WHERE a.review_id = ? AND a.annotator_id = ? ORDER BY a.example_id`)
      .all(reviewId, annotatorId) as AnswerRow[];
    return rows.map(toAnswer);
  }

  /** Whether `readerId` may read other members' answers: after submitting, or as an owner not taking part. */
  maySeeOthers(reviewId: number, readerId: number): boolean {
    return (this.db.prepare(`SELECT ${READER_MAY_SEE_OTHERS} AS ok`).get({ review: reviewId, reader: readerId }) as { ok: number }).ok === 1;
  }

  /**
   * The answers `readerId` may read: their own, and other members' submitted answers once
   * `maySeeOthers` holds. The rule is part of the query, so no caller can forget it.
   */
  answersVisibleTo(reviewId: number, readerId: number): ReviewAnswerRecord[] {
    const rows = this.db
      .prepare(
        `SELECT ${ANSWER_COLUMNS} FROM annotations a
           JOIN review_members m ON m.review_id = a.review_id AND m.annotator_id = a.annotator_id
         WHERE a.review_id = @review AND (a.annotator_id = @reader OR (m.submitted_at IS NOT NULL AND ${READER_MAY_SEE_OTHERS}))
         ORDER BY a.example_id, a.annotator_id`,
      )
      .all({ review: reviewId, reader: readerId }) as AnswerRow[];
    return rows.map(toAnswer);
  }

  /**
   * Every submitted member's answers, for agreement and corrected labels. Unscoped: callers outside
   * the store reach it only through the review service, after its access check.
   */
  submittedAnswers(reviewId: number): ReviewAnswerRecord[] {
    const rows = this.db
      .prepare(
        `SELECT ${ANSWER_COLUMNS} FROM annotations a
           JOIN review_members m ON m.review_id = a.review_id AND m.annotator_id = a.annotator_id AND m.submitted_at IS NOT NULL
         WHERE a.review_id = ? ORDER BY a.example_id, a.annotator_id`,
      )
      .all(reviewId) as AnswerRow[];
    return rows.map(toAnswer);
  }

  /** Locks the member's answers; every item must have an answer (a label, a flag or a note). */
  submit(reviewId: number, annotatorId: number): ReviewMemberRecord {
    const review = this.require(reviewId);
    return durableTransaction(this.db, () => {
      const member = this.member(reviewId, annotatorId);
      if (!member) throw new ReviewRuleError('conflict', `you have not answered anything in review "${review.name}" yet`);
      if (member.submittedAt !== null) throw new ReviewRuleError('conflict', `you have already submitted review "${review.name}"`);
      const open = review.itemCount - member.answered;
      if (open > 0) throw new ReviewRuleError('conflict', `${open} item(s) of review "${review.name}" have no answer yet`);
      this.db
        .prepare("UPDATE review_members SET submitted_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE review_id = ? AND annotator_id = ?")
        .run(reviewId, annotatorId);
      return this.member(reviewId, annotatorId)!;
    });
  }

  private require(reviewId: number): ReviewRecord {
    const review = this.get(reviewId);
    if (!review) throw new ReviewRuleError('not-found', `no review ${reviewId} in this workspace`);
    return review;
  }
}
