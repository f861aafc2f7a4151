// Annotators and their annotations: a corrected label and/or a note per annotator and example,
// optionally tied to the evaluation whose prediction they reviewed. A revision replaces the
// annotator's previous judgement; batches are fsynced commits (a reviewer's work is a run boundary).

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
}

export interface AnnotationRecord {
  id: number;
  annotatorId: number;
  exampleId: number;
  evaluationId: number | null;
  label: string | null;
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = `id, annotator_id AS annotatorId, example_id AS exampleId, evaluation_id AS evaluationId, label, note,
  created_at AS createdAt, updated_at AS updatedAt`;

export class AnnotationRepository {
  constructor(private readonly db: Database) {}

  addAnnotator(name: string, role: AnnotatorRole): AnnotatorRecord {
    const { lastInsertRowid } = this.db.prepare('INSERT INTO annotators (name, role) VALUES (?, ?)').run(name, role);
    return this.db
      .prepare('SELECT id, name, role, created_at AS createdAt FROM annotators WHERE id = ?')
      .get(Number(lastInsertRowid)) as AnnotatorRecord;
  }

  annotators(): AnnotatorRecord[] {
    return this.db.prepare('SELECT id, name, role, created_at AS createdAt FROM annotators ORDER BY id').all() as AnnotatorRecord[];
  }

  /** Saves a batch of judgements in one fsynced commit; each replaces that annotator's earlier one. */
  saveBatch(batch: readonly NewAnnotation[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO annotations (annotator_id, example_id, evaluation_id, label, note) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (annotator_id, example_id) DO UPDATE SET evaluation_id = excluded.evaluation_id, label = excluded.label,
         note = excluded.note, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    );
    durableTransaction(this.db, () => {
      for (const a of batch) {
        if (a.label === undefined && a.note === undefined) throw new Error(`annotation of example ${a.exampleId} has neither label nor note`);
        upsert.run(a.annotatorId, a.exampleId, a.evaluationId ?? null, a.label ?? null, a.note ?? null);
      }
    });
  }

  forExample(exampleId: number): AnnotationRecord[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM annotations WHERE example_id = ? ORDER BY annotator_id`).all(exampleId) as AnnotationRecord[];
  }

  byAnnotator(annotatorId: number): AnnotationRecord[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM annotations WHERE annotator_id = ? ORDER BY example_id`).all(annotatorId) as AnnotationRecord[];
  }
}
