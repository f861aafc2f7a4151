// Pool splits: a seeded partition of one language's training examples into a discovery pool
// (Pool A: competence tuning, mean baselines, CD-T) and a held-out tuning pool (Pool B: stage-2
// tuning only). Test and validation rows can never be members: this repository checks every id
// before inserting, and the schema's triggers (migration 0002) refuse them again.

import type { Database } from 'better-sqlite3';
import { durableTransaction } from '../connection';
import type { ExampleRecord } from './examples';

export type PoolName = 'discovery' | 'tuning';

export interface NewPoolSplit {
  datasetId: number;
  language: string;
  seed: number;
  /** Example ids in pool order (the order sampling draws from). */
  discovery: readonly number[];
  tuning: readonly number[];
}

export interface PoolSplitRecord {
  id: number;
  datasetId: number;
  language: string;
  seed: number;
  discoverySize: number;
  tuningSize: number;
  createdAt: string;
}

/** Raised when anything but a training example of the right dataset and language is offered. */
export class PoolLeakError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoolLeakError';
  }
}

const COLUMNS = `id, dataset_id AS datasetId, language, seed, discovery_size AS discoverySize,
  tuning_size AS tuningSize, created_at AS createdAt`;

export class PoolRepository {
  constructor(private readonly db: Database) {}

  create(p: NewPoolSplit): PoolSplitRecord {
    this.assertTrainingExamples(p);
    return durableTransaction(this.db, () => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO pool_splits (dataset_id, language, seed, discovery_size, tuning_size) VALUES (?, ?, ?, ?, ?)')
        .run(p.datasetId, p.language, p.seed, p.discovery.length, p.tuning.length);
      const id = Number(lastInsertRowid);
      const insert = this.db.prepare('INSERT INTO pool_members (pool_split_id, example_id, pool, position) VALUES (?, ?, ?, ?)');
      p.discovery.forEach((exampleId, i) => insert.run(id, exampleId, 'discovery', i));
      p.tuning.forEach((exampleId, i) => insert.run(id, exampleId, 'tuning', i));
      return this.get(id)!;
    });
  }

  get(id: number): PoolSplitRecord | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM pool_splits WHERE id = ?`).get(id) as PoolSplitRecord | undefined;
  }

  find(datasetId: number, language: string, seed: number, discoverySize: number, tuningSize: number): PoolSplitRecord | undefined {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM pool_splits WHERE dataset_id = ? AND language = ? AND seed = ?
           AND discovery_size = ? AND tuning_size = ?`,
      )
      .get(datasetId, language, seed, discoverySize, tuningSize) as PoolSplitRecord | undefined;
  }

  list(datasetId: number): PoolSplitRecord[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM pool_splits WHERE dataset_id = ? ORDER BY id`).all(datasetId) as PoolSplitRecord[];
  }

  /** The examples of one pool, in pool order. */
  members(poolSplitId: number, pool: PoolName): ExampleRecord[] {
    return this.db
      .prepare(
        `SELECT e.id, e.dataset_id AS datasetId, e.source_id AS sourceId, e.language, e.split, e.text, e.premise,
           e.hypothesis, e.label, e.source_file AS sourceFile, e.source_line AS sourceLine
         FROM pool_members m JOIN examples e ON e.id = m.example_id
         WHERE m.pool_split_id = ? AND m.pool = ? ORDER BY m.position`,
      )
      .all(poolSplitId, pool) as ExampleRecord[];
  }

  private assertTrainingExamples(p: NewPoolSplit): void {
    const lookup = this.db.prepare('SELECT dataset_id AS datasetId, language, split FROM examples WHERE id = ?');
    const seen = new Set<number>();
    for (const id of [...p.discovery, ...p.tuning]) {
      if (seen.has(id)) throw new PoolLeakError(`example ${id} appears twice in the pool split`);
      seen.add(id);
      const row = lookup.get(id) as { datasetId: number; language: string; split: string } | undefined;
      if (!row) throw new PoolLeakError(`example ${id} does not exist`);
      if (row.split !== 'train') throw new PoolLeakError(`example ${id} is in the ${row.split} split; only training examples may enter a pool`);
      if (row.datasetId !== p.datasetId || row.language !== p.language) {
        throw new PoolLeakError(`example ${id} is not a ${p.language} example of dataset ${p.datasetId}`);
      }
    }
  }
}
