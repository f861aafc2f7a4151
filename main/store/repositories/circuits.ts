// Circuits: the heads a discovery run selected, with every head score of every iteration kept so
// the Circuits and Compare views can show what was not selected and why.

import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { durableTransaction } from '../connection';
import { fromJson, toJson } from '../json-column';

/** [layer, head], both 0-indexed. */
export type HeadId = readonly [number, number];
const headList = z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]));

export interface HeadScore {
  iteration: number;
  /** What the score is relevant to: 'logits' at iteration 0, else the target head, e.g. 'L12H3'. */
  target: string;
  layer: number;
  head: number;
  score: number;
  selected: boolean;
}

export interface NewCircuit {
  runId: number;
  language: string;
  selectionRatio: number;
  depth: number;
  heads: readonly HeadId[];
  scores: readonly HeadScore[];
}

export interface CircuitRecord {
  id: number;
  runId: number;
  language: string;
  selectionRatio: number;
  depth: number;
  heads: HeadId[];
  createdAt: string;
}

const COLUMNS = 'id, run_id AS runId, language, selection_ratio AS selectionRatio, depth, heads, created_at AS createdAt';
type CircuitRow = Omit<CircuitRecord, 'heads'> & { heads: string };
const toRecord = (row: CircuitRow): CircuitRecord => ({ ...row, heads: fromJson(headList, row.heads, 'circuit heads') });

export class CircuitRepository {
  constructor(private readonly db: Database) {}

  create(c: NewCircuit): CircuitRecord {
    return durableTransaction(this.db, () => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO circuits (run_id, language, selection_ratio, depth, heads) VALUES (?, ?, ?, ?, ?)')
        .run(c.runId, c.language, c.selectionRatio, c.depth, toJson(c.heads));
      const id = Number(lastInsertRowid);
      const insert = this.db.prepare(
        'INSERT INTO head_scores (circuit_id, iteration, target, layer, head, score, selected) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const s of c.scores) insert.run(id, s.iteration, s.target, s.layer, s.head, s.score, s.selected ? 1 : 0);
      return this.get(id)!;
    });
  }

  get(id: number): CircuitRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM circuits WHERE id = ?`).get(id) as CircuitRow | undefined;
    return row && toRecord(row);
  }

  list(): CircuitRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM circuits ORDER BY id`).all() as CircuitRow[]).map(toRecord);
  }

  byRun(runId: number): CircuitRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM circuits WHERE run_id = ? ORDER BY id`).all(runId) as CircuitRow[]).map(toRecord);
  }

  /** Scores, highest first within each iteration and target. */
  scores(circuitId: number, iteration?: number): HeadScore[] {
    const rows = this.db
      .prepare(
        `SELECT iteration, target, layer, head, score, selected FROM head_scores
         WHERE circuit_id = ? AND (? IS NULL OR iteration = ?) ORDER BY iteration, target, score DESC, layer, head`,
      )
      .all(circuitId, iteration ?? null, iteration ?? null) as (Omit<HeadScore, 'selected'> & { selected: number })[];
    return rows.map((r) => ({ ...r, selected: r.selected === 1 }));
  }
}
