// Dataset versions: a dataset derived from another (today: labels corrected by a review), with the
// parent, the review and a provenance record saying who decided what and by which rule.

import type { Database } from 'better-sqlite3';
import { fromJson, jsonObject, toJson, type JsonObject } from '../json-column';

export interface DatasetVersionRecord {
  datasetId: number;
  parentId: number;
  reviewId: number | null;
  provenance: JsonObject;
  createdAt: string;
}

const COLUMNS = 'dataset_id AS datasetId, parent_id AS parentId, review_id AS reviewId, provenance, created_at AS createdAt';
type Row = Omit<DatasetVersionRecord, 'provenance'> & { provenance: string };
const toRecord = (row: Row): DatasetVersionRecord => ({ ...row, provenance: fromJson(jsonObject, row.provenance, 'dataset version provenance') });

export class DatasetVersionRepository {
  constructor(private readonly db: Database) {}

  /** Records that `datasetId` was derived from `parentId`; call inside the transaction that made it. */
  record(v: { datasetId: number; parentId: number; reviewId: number | null; provenance: JsonObject }): DatasetVersionRecord {
    this.db
      .prepare('INSERT INTO dataset_versions (dataset_id, parent_id, review_id, provenance) VALUES (?, ?, ?, ?)')
      .run(v.datasetId, v.parentId, v.reviewId, toJson(v.provenance));
    return this.get(v.datasetId)!;
  }

  get(datasetId: number): DatasetVersionRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM dataset_versions WHERE dataset_id = ?`).get(datasetId) as Row | undefined;
    return row && toRecord(row);
  }

  children(parentId: number): DatasetVersionRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM dataset_versions WHERE parent_id = ? ORDER BY dataset_id`).all(parentId) as Row[]).map(toRecord);
  }

  fromReview(reviewId: number): DatasetVersionRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM dataset_versions WHERE review_id = ? ORDER BY dataset_id`).all(reviewId) as Row[]).map(toRecord);
  }
}
