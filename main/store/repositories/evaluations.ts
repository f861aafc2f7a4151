// Evaluations and their per-example predictions: what a run's model answered on which split of
// which language, so accuracy, forgetting and the Review view all read the same rows.

import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { fromJson, jsonObject, toJson, type JsonObject } from '../json-column';
import type { Split } from './datasets';

export interface NewPrediction {
  exampleId: number;
  predicted: string;
  correct: boolean;
  /** Label → score (e.g. label-word logit). */
  scores?: Record<string, number>;
}

export interface NewEvaluation {
  runId: number;
  datasetId: number;
  language: string;
  split: Split;
  accuracy?: number;
  macroF1?: number;
  loss?: number;
  extra?: JsonObject;
  predictions: readonly NewPrediction[];
}

export interface EvaluationRecord {
  id: number;
  runId: number;
  datasetId: number;
  language: string;
  split: Split;
  count: number;
  accuracy: number | null;
  macroF1: number | null;
  loss: number | null;
  extra: JsonObject;
  createdAt: string;
}

export interface PredictionRecord {
  exampleId: number;
  predicted: string;
  correct: boolean;
  scores: Record<string, number>;
}

const COLUMNS = `id, run_id AS runId, dataset_id AS datasetId, language, split, count, accuracy, macro_f1 AS macroF1, loss,
  extra, created_at AS createdAt`;
type EvaluationRow = Omit<EvaluationRecord, 'extra'> & { extra: string };
const toRecord = (row: EvaluationRow): EvaluationRecord => ({ ...row, extra: fromJson(jsonObject, row.extra, 'evaluation extra') });
const scoreMap = z.record(z.string(), z.number());

export class EvaluationRepository {
  constructor(private readonly db: Database) {}

  /** Stores an evaluation with all its predictions in one transaction. */
  create(e: NewEvaluation): EvaluationRecord {
    return this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO evaluations (run_id, dataset_id, language, split, count, accuracy, macro_f1, loss, extra)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(e.runId, e.datasetId, e.language, e.split, e.predictions.length, e.accuracy ?? null, e.macroF1 ?? null, e.loss ?? null, toJson(e.extra ?? {}));
      const id = Number(lastInsertRowid);
      const insert = this.db.prepare('INSERT INTO predictions (evaluation_id, example_id, predicted, correct, scores) VALUES (?, ?, ?, ?, ?)');
      for (const p of e.predictions) insert.run(id, p.exampleId, p.predicted, p.correct ? 1 : 0, toJson(p.scores ?? {}));
      return this.get(id)!;
    })();
  }

  get(id: number): EvaluationRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM evaluations WHERE id = ?`).get(id) as EvaluationRow | undefined;
    return row && toRecord(row);
  }

  byRun(runId: number): EvaluationRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM evaluations WHERE run_id = ? ORDER BY id`).all(runId) as EvaluationRow[]).map(toRecord);
  }

  predictions(evaluationId: number): PredictionRecord[] {
    const rows = this.db
      .prepare('SELECT example_id AS exampleId, predicted, correct, scores FROM predictions WHERE evaluation_id = ? ORDER BY example_id')
      .all(evaluationId) as { exampleId: number; predicted: string; correct: number; scores: string }[];
    return rows.map((r) => ({ ...r, correct: r.correct === 1, scores: fromJson(scoreMap, r.scores, 'prediction scores') }));
  }
}
