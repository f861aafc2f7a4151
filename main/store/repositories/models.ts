// Models: a model folder on disk (Hugging Face layout) registered by its content hash, so runs
// can name exactly which weights they started from even if the folder later changes.

import type { Database } from 'better-sqlite3';
import { fromJson, jsonObject, toJson, type JsonObject } from '../json-column';

export interface NewModel {
  name: string;
  family: string;
  sourcePath: string;
  contentHash: string;
  config?: JsonObject;
}

export interface ModelRecord {
  id: number;
  name: string;
  family: string;
  sourcePath: string;
  contentHash: string;
  config: JsonObject;
  createdAt: string;
}

const COLUMNS = 'id, name, family, source_path AS sourcePath, content_hash AS contentHash, config, created_at AS createdAt';
type ModelRow = Omit<ModelRecord, 'config'> & { config: string };
const toRecord = (row: ModelRow): ModelRecord => ({ ...row, config: fromJson(jsonObject, row.config, 'model config') });

export class ModelRepository {
  constructor(private readonly db: Database) {}

  create(m: NewModel): ModelRecord {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO models (name, family, source_path, content_hash, config) VALUES (?, ?, ?, ?, ?)')
      .run(m.name, m.family, m.sourcePath, m.contentHash, toJson(m.config ?? {}));
    return this.get(Number(lastInsertRowid))!;
  }

  get(id: number): ModelRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM models WHERE id = ?`).get(id) as ModelRow | undefined;
    return row && toRecord(row);
  }

  byContentHash(contentHash: string): ModelRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM models WHERE content_hash = ? ORDER BY id`).all(contentHash) as ModelRow[]).map(toRecord);
  }

  list(): ModelRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM models ORDER BY id`).all() as ModelRow[]).map(toRecord);
  }
}
