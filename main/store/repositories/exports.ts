// Exports: what was exported from which run, in which format, as which blob and to where; since
// schema 5 also what the export holds (details: files and their checksums, the model card) and the
// outcome of its last verification.

import type { Database } from 'better-sqlite3';
import { durableTransaction } from '../connection';
import { fromJson, jsonObject, toJson, type JsonObject } from '../json-column';

export type ExportFormat = 'hf-folder' | 'onnx' | 'head-delta';

export interface NewExport {
  runId: number;
  format: ExportFormat;
  blobHash?: string;
  destination?: string;
  details?: JsonObject;
}

export interface ExportRecord {
  id: number;
  runId: number;
  format: ExportFormat;
  blobHash: string | null;
  destination: string | null;
  details: JsonObject;
  /** The last verification's outcome (null: never verified). */
  verification: JsonObject | null;
  verifiedAt: string | null;
  createdAt: string;
}

const COLUMNS = `id, run_id AS runId, format, blob_hash AS blobHash, destination, details, verification,
  verified_at AS verifiedAt, created_at AS createdAt`;
type ExportRow = Omit<ExportRecord, 'details' | 'verification'> & { details: string; verification: string | null };
const toRecord = (row: ExportRow): ExportRecord => ({
  ...row,
  details: fromJson(jsonObject, row.details, 'export details'),
  verification: row.verification === null ? null : fromJson(jsonObject, row.verification, 'export verification'),
});
const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

export class ExportRepository {
  constructor(private readonly db: Database) {}

  create(e: NewExport): ExportRecord {
    return durableTransaction(this.db, () => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO exports (run_id, format, blob_hash, destination, details) VALUES (?, ?, ?, ?, ?)')
        .run(e.runId, e.format, e.blobHash ?? null, e.destination ?? null, toJson(e.details ?? {}));
      return this.get(Number(lastInsertRowid))!;
    });
  }

  get(id: number): ExportRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM exports WHERE id = ?`).get(id) as ExportRow | undefined;
    return row && toRecord(row);
  }

  /** Newest first. */
  list(): ExportRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM exports ORDER BY id DESC`).all() as ExportRow[]).map(toRecord);
  }

  byRun(runId: number): ExportRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM exports WHERE run_id = ? ORDER BY id`).all(runId) as ExportRow[]).map(toRecord);
  }

  /** Stores the outcome of a verification (replacing the previous one) with the time it was made. */
  recordVerification(id: number, verification: JsonObject): ExportRecord {
    return durableTransaction(this.db, () => {
      const { changes } = this.db.prepare(`UPDATE exports SET verification = ?, verified_at = ${NOW} WHERE id = ?`).run(toJson(verification), id);
      if (changes === 0) throw new Error(`no export ${id}`);
      return this.get(id)!;
    });
  }
}
