// Annotators and their annotations: a corrected label, a flag and/or a note per annotator and
// example, optionally tied to the evaluation whose prediction they reviewed. This repository keeps
// the annotations made outside a review round (review_id NULL); answers inside a review go through
// ReviewRepository, which enforces the round's rules. A revision replaces the annotator's previous
// judgement; batches are fsynced commits (a reviewer's work is a run boundary).

import type { Database } from 'better-sqlite3';
import { durableTransaction } from '../connection';

export type AnnotatorRole = 'owner' | 'annotator';

export interface AnnotatorRecord {
  id: number;
  name: string;
  role: AnnotatorRole;
  createdAt: string;
}

export interface NewAnnotation {
  annotatorId: number;
  exampleId: number;
  evaluationId?: number;
  label?: string;
  note?: string;
  flagged?: boolean;
}

export interface AnnotationRecord {
  id: number;
  annotatorId: number;
  exampleId: number;
  evaluationId: number | null;
  /** The review round this answer belongs to (null outside reviews). */
  reviewId: number | null;
  label: string | null;
  flagged: boolean;
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = `id, annotator_id AS annotatorId, example_id AS exampleId, evaluation_id AS evaluationId, review_id AS reviewId,
  label, flagged, note, created_at AS createdAt, updated_at AS updatedAt`;
type AnnotationRow = Omit<AnnotationRecord, 'flagged'> & { flagged: number };
const toRecord = (row: AnnotationRow): AnnotationRecord => ({ ...row, flagged: row.flagged === 1 });

export class AnnotationRepository {
  constructor(private readonly db: Database) {}

  addAnnotator(name: string, role: AnnotatorRole): AnnotatorRecord {
    const { lastInsertRowid } = this.db.prepare('INSERT INTO annotators (name, role) VALUES (?, ?)').run(name, role);
    return this.db
      .prepare('SELECT id, name, role, created_at AS createdAt FROM annotators WHERE id = ?')
      .get(Number(lastInsertRowid)) as AnnotatorRecord;
  }

  annotator(id: number): AnnotatorRecord | undefined {
    return this.db.prepare('SELECT id, name, role, created_at AS createdAt FROM annotators WHERE id = ?').get(id) as AnnotatorRecord | undefined;
  }

  annotatorByName(name: string): AnnotatorRecord | undefined {
    return this.db.prepare('SELECT id, name, role, created_at AS createdAt FROM annotators WHERE name = ?').get(name) as AnnotatorRecord | undefined;
  }

  annotators(): AnnotatorRecord[] {
    return this.db.prepare('SELECT id, name, role, created_at AS createdAt FROM annotators ORDER BY id').all() as AnnotatorRecord[];
  }

  /**
   * Saves a batch of judgements outside any review in one fsynced commit; each replaces that
   * annotator's earlier one. (The conflict target names the partial unique index's WHERE clause.)
   */
  saveBatch(batch: readonly NewAnnotation[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO annotations (annotator_id, example_id, evaluation_id, label, flagged, note) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (annotator_id, example_id) WHERE review_id IS NULL DO UPDATE SET evaluation_id = excluded.evaluation_id,
         label = excluded.label, flagged = excluded.flagged, note = excluded.note, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    );
    durableTransaction(this.db, () => {
      for (const a of batch) {
        if (a.label === undefined && a.note === undefined && !a.flagged) throw new Error(`annotation of example ${a.exampleId} has neither label nor note`);
        upsert.run(a.annotatorId, a.exampleId, a.evaluationId ?? null, a.label ?? null, a.flagged ? 1 : 0, a.note ?? null);
      }
    });
  }

  // Review answers are left out on purpose: they are read through ReviewRepository, which hides
  // other annotators' answers until the reader has submitted.
  forExample(exampleId: number): AnnotationRecord[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM annotations WHERE example_id = ? AND review_id IS NULL ORDER BY annotator_id`).all(exampleId) as AnnotationRow[];
    return rows.map(toRecord);
  }

  byAnnotator(annotatorId: number): AnnotationRecord[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM annotations WHERE annotator_id = ? AND review_id IS NULL ORDER BY example_id`).all(annotatorId) as AnnotationRow[];
    return rows.map(toRecord);
  }
}
