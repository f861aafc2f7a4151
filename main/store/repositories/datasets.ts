// Datasets: one imported source (a file, or a NusaX/XNLI folder) with its label set and provenance.

import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { durableTransaction } from '../connection';
import { fromJson, toJson } from '../json-column';
import { ExampleRepository, type NewExample } from './examples';

export const SPLITS = ['train', 'valid', 'test'] as const;
export type Split = (typeof SPLITS)[number];
export type Task = 'classification' | 'nli';

const sourceFile = z.object({ path: z.string(), sha256: z.string(), bytes: z.number().int() });
export type SourceFile = z.infer<typeof sourceFile>;

export interface NewDataset {
  name: string;
  task: Task;
  labels: string[];
  format: string;
  sourcePath: string;
  /** sha256 over the source files' hashes, to recognise a re-import of the same data. */
  sourceHash: string;
  sourceFiles: SourceFile[];
  licence: string | null;
}

export interface DatasetRecord extends NewDataset {
  id: number;
  createdAt: string;
}

export interface SplitCount {
  language: string;
  split: Split;
  label: string;
  count: number;
}

interface DatasetRow extends Omit<DatasetRecord, 'labels' | 'sourceFiles'> {
  labels: string;
  sourceFiles: string;
}

const COLUMNS = `id, name, task, labels, format, source_path AS sourcePath, source_hash AS sourceHash,
  source_files AS sourceFiles, licence, created_at AS createdAt`;

function toRecord(row: DatasetRow): DatasetRecord {
  return {
    ...row,
    labels: fromJson(z.array(z.string()), row.labels, 'dataset labels'),
    sourceFiles: fromJson(z.array(sourceFile), row.sourceFiles, 'dataset source files'),
  };
}

export class DatasetRepository {
  constructor(private readonly db: Database) {}

  create(d: NewDataset): DatasetRecord {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO datasets (name, task, labels, format, source_path, source_hash, source_files, licence)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(d.name, d.task, toJson(d.labels), d.format, d.sourcePath, d.sourceHash, toJson(d.sourceFiles), d.licence);
    return this.get(Number(lastInsertRowid))!;
  }

  /** A dataset and all its examples in one fsynced transaction: an import is complete or absent. */
  createWithExamples(d: NewDataset, examples: readonly NewExample[]): DatasetRecord {
    return durableTransaction(this.db, () => {
      const dataset = this.create(d);
      new ExampleRepository(this.db).insertMany(dataset.id, examples);
      return dataset;
    });
  }

  get(id: number): DatasetRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM datasets WHERE id = ?`).get(id) as DatasetRow | undefined;
    return row && toRecord(row);
  }

  byName(name: string): DatasetRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM datasets WHERE name = ?`).get(name) as DatasetRow | undefined;
    return row && toRecord(row);
  }

  /** A dataset named `nameOrId`, else one whose id is that number. */
  find(nameOrId: string): DatasetRecord | undefined {
    return this.byName(nameOrId) ?? (/^\d+$/.test(nameOrId) ? this.get(Number(nameOrId)) : undefined);
  }

  list(): DatasetRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM datasets ORDER BY id`).all() as DatasetRow[]).map(toRecord);
  }

  withSourceHash(sourceHash: string): DatasetRecord[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM datasets WHERE source_hash = ? ORDER BY id`).all(sourceHash) as DatasetRow[];
    return rows.map(toRecord);
  }

  /** Example counts per language, split and label. */
  counts(datasetId: number): SplitCount[] {
    return this.db
      .prepare(
        `SELECT language, split, label, count(*) AS count FROM examples WHERE dataset_id = ?
         GROUP BY language, split, label ORDER BY language, split, label`,
      )
      .all(datasetId) as SplitCount[];
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
  }
}
