// Runs: one unit of experimental work (competence tuning, discovery, CT-SFT, a baseline, an
// evaluation) with the configuration and seed that reproduce it, and the run it continued from.
// Status changes follow a fixed graph; the ones that end or resume a run are fsynced commits.

import type { Database } from 'better-sqlite3';
import { durableTransaction } from '../connection';
import { fromJson, jsonObject, toJson, type JsonObject } from '../json-column';

export const RUN_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Which status may follow which; `interrupted → running` is a resume. */
const NEXT: Record<RunStatus, readonly RunStatus[]> = {
  pending: ['running', 'cancelled'],
  running: ['done', 'failed', 'cancelled', 'interrupted'],
  interrupted: ['running', 'cancelled'],
  done: [],
  failed: [],
  cancelled: [],
};

export interface NewRun {
  kind: string;
  name?: string;
  modelId?: number;
  datasetId?: number;
  parentRunId?: number;
  config: JsonObject;
  seed: number;
}

export interface RunRecord {
  id: number;
  kind: string;
  name: string | null;
  modelId: number | null;
  datasetId: number | null;
  parentRunId: number | null;
  config: JsonObject;
  seed: number;
  status: RunStatus;
  outputBlob: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const COLUMNS = `id, kind, name, model_id AS modelId, dataset_id AS datasetId, parent_run_id AS parentRunId, config, seed,
  status, output_blob AS outputBlob, error, created_at AS createdAt, started_at AS startedAt, finished_at AS finishedAt`;
type RunRow = Omit<RunRecord, 'config'> & { config: string };
const toRecord = (row: RunRow): RunRecord => ({ ...row, config: fromJson(jsonObject, row.config, 'run config') });
const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

export class RunRepository {
  constructor(private readonly db: Database) {}

  create(r: NewRun): RunRecord {
    if (!Number.isSafeInteger(r.seed)) throw new Error(`run seed must be an integer, got ${r.seed}`);
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO runs (kind, name, model_id, dataset_id, parent_run_id, config, seed) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(r.kind, r.name ?? null, r.modelId ?? null, r.datasetId ?? null, r.parentRunId ?? null, toJson(r.config), r.seed);
    return this.get(Number(lastInsertRowid))!;
  }

  get(id: number): RunRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
    return row && toRecord(row);
  }

  list(filter: { kind?: string; status?: RunStatus } = {}): RunRecord[] {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM runs WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status) ORDER BY id`)
      .all({ kind: filter.kind ?? null, status: filter.status ?? null }) as RunRow[];
    return rows.map(toRecord);
  }

  children(parentRunId: number): RunRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM runs WHERE parent_run_id = ? ORDER BY id`).all(parentRunId) as RunRow[]).map(toRecord);
  }

  /** pending or interrupted → running (an interrupted run resuming keeps its first start time). */
  start(id: number): RunRecord {
    return this.transition(id, 'running', () => {
      this.db.prepare(`UPDATE runs SET status = 'running', started_at = coalesce(started_at, ${NOW}), error = NULL WHERE id = ?`).run(id);
    });
  }

  /** Ends a run: done (with its output blob), failed (with the error), cancelled or interrupted. */
  finish(id: number, status: Exclude<RunStatus, 'pending' | 'running'>, detail: { outputBlob?: string; error?: string } = {}): RunRecord {
    return this.transition(id, status, () => {
      const ended = status === 'interrupted' ? 'NULL' : NOW;
      this.db
        .prepare(`UPDATE runs SET status = ?, output_blob = coalesce(?, output_blob), error = ?, finished_at = ${ended} WHERE id = ?`)
        .run(status, detail.outputBlob ?? null, detail.error ?? null, id);
    });
  }

  private transition(id: number, to: RunStatus, apply: () => void): RunRecord {
    return durableTransaction(this.db, () => {
      const run = this.get(id);
      if (!run) throw new Error(`no run ${id}`);
      if (!NEXT[run.status].includes(to)) throw new Error(`run ${id} is ${run.status}; it cannot become ${to}`);
      apply();
      return this.get(id)!;
    });
  }
}
