// Exports: what was exported from which run, in which format, as which blob and to where.

import type { Database } from 'better-sqlite3';
import { durableTransaction } from '../connection';

export type ExportFormat = 'hf-folder' | 'onnx' | 'head-delta';

export interface NewExport {
  runId: number;
  format: ExportFormat;
  blobHash?: string;
  destination?: string;
}

export interface ExportRecord {
  id: number;
  runId: number;
  format: ExportFormat;
  blobHash: string | null;
  destination: string | null;
  createdAt: string;
}

const COLUMNS = 'id, run_id AS runId, format, blob_hash AS blobHash, destination, created_at AS createdAt';

export class ExportRepository {
  constructor(private readonly db: Database) {}

  create(e: NewExport): ExportRecord {
    return durableTransaction(this.db, () => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO exports (run_id, format, blob_hash, destination) VALUES (?, ?, ?, ?)')
        .run(e.runId, e.format, e.blobHash ?? null, e.destination ?? null);
      return this.db.prepare(`SELECT ${COLUMNS} FROM exports WHERE id = ?`).get(Number(lastInsertRowid)) as ExportRecord;
    });
  }

  byRun(runId: number): ExportRecord[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM exports WHERE run_id = ? ORDER BY id`).all(runId) as ExportRecord[];
  }
}
