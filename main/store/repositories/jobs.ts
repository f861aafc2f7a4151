// Jobs: long work (training, discovery, evaluation) as durable rows, so a crash or power cut leaves
// a record of what was running and from which checkpoint it can resume. The runner (main/jobs/)
// drives these rows; this repository only guarantees legal status changes and durable commits for
// the ones that matter (claim, checkpoint, finish, interrupt).

import type { Database } from 'better-sqlite3';
import { durableTransaction } from '../connection';
import { fromJson, jsonObject, toJson, type JsonObject } from '../json-column';

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const NEXT: Record<JobStatus, readonly JobStatus[]> = {
  queued: ['running', 'cancelled'],
  running: ['done', 'failed', 'cancelled', 'interrupted'],
  interrupted: ['queued', 'cancelled'],
  done: [],
  failed: [],
  cancelled: [],
};

export interface NewJob {
  kind: string;
  runId?: number;
  device?: string;
  payload?: JsonObject;
}

export interface JobRecord {
  id: number;
  kind: string;
  runId: number | null;
  device: string;
  payload: JsonObject;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  /** Step, loss, metric, ETA: whatever the job last reported. */
  progressDetail: JsonObject;
  checkpointBlob: string | null;
  checkpointStep: number | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

const COLUMNS = `id, kind, run_id AS runId, device, payload, status, progress, progress_detail AS progressDetail,
  checkpoint_blob AS checkpointBlob, checkpoint_step AS checkpointStep, error, created_at AS createdAt,
  started_at AS startedAt, finished_at AS finishedAt, updated_at AS updatedAt`;
type JobRow = Omit<JobRecord, 'payload' | 'progressDetail'> & { payload: string; progressDetail: string };
const toRecord = (r: JobRow): JobRecord => ({
  ...r,
  payload: fromJson(jsonObject, r.payload, 'job payload'),
  progressDetail: fromJson(jsonObject, r.progressDetail, 'job progress'),
});
const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

export class JobRepository {
  constructor(private readonly db: Database) {}

  enqueue(j: NewJob): JobRecord {
    const { lastInsertRowid } = durableTransaction(this.db, () =>
      this.db
        .prepare('INSERT INTO jobs (kind, run_id, device, payload) VALUES (?, ?, ?, ?)')
        .run(j.kind, j.runId ?? null, j.device ?? 'cpu', toJson(j.payload ?? {})),
    );
    return this.get(Number(lastInsertRowid))!;
  }

  get(id: number): JobRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
    return row && toRecord(row);
  }

  list(filter: { status?: JobStatus } = {}): JobRecord[] {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE (? IS NULL OR status = ?) ORDER BY id`).all(filter.status ?? null, filter.status ?? null);
    return (rows as JobRow[]).map(toRecord);
  }

  /** Marks the oldest queued job for `device` running and returns it (undefined when none wait). */
  claimNext(device: string): JobRecord | undefined {
    return durableTransaction(this.db, () => {
      const next = this.db.prepare("SELECT id FROM jobs WHERE status = 'queued' AND device = ? ORDER BY id LIMIT 1").get(device) as
        | { id: number }
        | undefined;
      if (!next) return undefined;
      return this.transition(next.id, 'running', `started_at = coalesce(started_at, ${NOW}), error = NULL`);
    });
  }

  /** Progress updates are frequent and need not survive power loss: normal sync level. */
  reportProgress(id: number, progress: number, detail: JsonObject = {}): void {
    if (!(progress >= 0 && progress <= 1)) throw new Error(`job progress must be in [0, 1], got ${progress}`);
    const { changes } = this.db
      .prepare(`UPDATE jobs SET progress = ?, progress_detail = ?, updated_at = ${NOW} WHERE id = ? AND status = 'running'`)
      .run(progress, toJson(detail), id);
    if (changes === 0) throw new Error(`job ${id} is not running`);
  }

  /** Registers a checkpoint (its blob must already be stored) as the point to resume from. */
  recordCheckpoint(id: number, blobHash: string, step: number): JobRecord {
    return durableTransaction(this.db, () => {
      const { changes } = this.db
        .prepare(`UPDATE jobs SET checkpoint_blob = ?, checkpoint_step = ?, updated_at = ${NOW} WHERE id = ? AND status = 'running'`)
        .run(blobHash, step, id);
      if (changes === 0) throw new Error(`job ${id} is not running`);
      return this.get(id)!;
    });
  }

  /** A running job finishing done is never resumed from its checkpoint: its row lets go of the blob (the step stays, as history). */
  releaseCheckpoint(id: number): void {
    this.db.prepare(`UPDATE jobs SET checkpoint_blob = NULL, updated_at = ${NOW} WHERE id = ? AND status = 'running'`).run(id);
  }

  finish(id: number, status: 'done' | 'failed' | 'cancelled', error?: string): JobRecord {
    const progress = status === 'done' ? ', progress = 1' : '';
    return durableTransaction(this.db, () => this.transition(id, status, `finished_at = ${NOW}, error = @error${progress}`, { error: error ?? null }));
  }

  /** Cancels a job that is not running (a running one is cancelled by its runner via finish). */
  cancel(id: number): JobRecord {
    return durableTransaction(this.db, () => this.transition(id, 'cancelled', `finished_at = ${NOW}`, {}, ['queued', 'interrupted']));
  }

  /** Start-up recovery: every job left 'running' by a dead process becomes 'interrupted'. */
  interruptRunning(): number[] {
    return durableTransaction(this.db, () => {
      const ids = (this.db.prepare("SELECT id FROM jobs WHERE status = 'running' ORDER BY id").all() as { id: number }[]).map((r) => r.id);
      for (const id of ids) this.transition(id, 'interrupted', 'error = NULL');
      return ids;
    });
  }

  /** A running job whose process died while its owner lives on (a native crash, an OOM kill): resumable. */
  interrupt(id: number, reason: string): JobRecord {
    return durableTransaction(this.db, () => this.transition(id, 'interrupted', 'error = @reason', { reason }, ['running']));
  }

  /** Puts an interrupted job back in the queue; it resumes from its recorded checkpoint. */
  requeue(id: number): JobRecord {
    return durableTransaction(this.db, () => this.transition(id, 'queued', 'finished_at = NULL'));
  }

  private transition(id: number, to: JobStatus, set: string, params: Record<string, unknown> = {}, from?: readonly JobStatus[]): JobRecord {
    const job = this.get(id);
    if (!job) throw new Error(`no job ${id}`);
    const allowed = NEXT[job.status].includes(to) && (!from || from.includes(job.status));
    if (!allowed) throw new Error(`job ${id} is ${job.status}; it cannot become ${to}`);
    this.db.prepare(`UPDATE jobs SET status = @to, ${set}, updated_at = ${NOW} WHERE id = @id`).run({ ...params, to, id });
    return this.get(id)!;
  }
}
