// The database side of a job's life, kept consistent with its run: a job and its run are created
// together, start together, and end together, each boundary in one fsynced transaction. Metrics and
// progress go through the repositories at the normal sync level.

import { z } from 'zod';
import { releaseUnreferenced, type BlobRef, type JobRecord, type JsonObject, type Workspace } from '../store/index';
import { CHECKPOINT_MEDIA_TYPE } from './checkpoint-file';

/** Runner settings stored with the job (they do not change what the job computes). */
const jobPayload = z.object({
  checkpointEvery: z.number().int().nonnegative().default(50),
  threads: z.number().int().positive().optional(),
});
export type JobPayload = z.output<typeof jobPayload>;

export interface NewJobRun {
  kind: string;
  /** Already validated by the kind's schema. */
  config: JsonObject;
  seed: number;
  device: string;
  payload: JobPayload;
  name?: string;
  modelId?: number;
  datasetId?: number;
  parentRunId?: number;
}

export type JobEnd = { status: 'done'; outputBlob?: string; summary?: JsonObject } | { status: 'failed'; error: string } | { status: 'cancelled' };

export class JobLedger {
  constructor(private readonly ws: Workspace) {}

  enqueue(r: NewJobRun): JobRecord {
    return this.ws.durably(() => {
      const run = this.ws.runs.create({
        kind: r.kind,
        config: r.config,
        seed: r.seed,
        ...(r.name !== undefined && { name: r.name }),
        ...(r.modelId !== undefined && { modelId: r.modelId }),
        ...(r.datasetId !== undefined && { datasetId: r.datasetId }),
        ...(r.parentRunId !== undefined && { parentRunId: r.parentRunId }),
      });
      return this.ws.jobs.enqueue({ kind: r.kind, runId: run.id, device: r.device, payload: jobPayload.parse(r.payload) });
    });
  }

  /** The runner settings of a job, or why they cannot be read. */
  payload(job: JobRecord): JobPayload | string {
    const parsed = jobPayload.safeParse(job.payload);
    return parsed.success ? parsed.data : `job ${job.id} has a malformed payload: ${z.prettifyError(parsed.error)}`;
  }

  /** The oldest queued job of the device (with an id up to `upTo`), marked running together with its run. */
  claimNext(device: string, upTo = Infinity): JobRecord | undefined {
    return this.ws.durably(() => {
      const next = this.ws.jobs.list({ status: 'queued' }).find((j) => j.device === device);
      if (!next || next.id > upTo) return undefined;
      const job = this.ws.jobs.claimNext(device);
      if (job?.runId != null) this.ws.runs.start(job.runId);
      return job;
    });
  }

  finish(job: JobRecord, end: JobEnd): JobRecord {
    const checkpoint = this.ws.jobs.get(job.id)?.checkpointBlob;
    const finished = this.ws.durably(() => {
      if (end.status === 'done') {
        if (end.summary) this.ws.jobs.reportProgress(job.id, 1, { ...this.ws.jobs.get(job.id)!.progressDetail, summary: end.summary });
        // the result is the run's output now; a failed or cancelled job keeps its checkpoint, as `workspace gc` does
        this.ws.jobs.releaseCheckpoint(job.id);
      }
      const error = end.status === 'failed' ? end.error : undefined;
      const record = this.ws.jobs.finish(job.id, end.status, error);
      if (job.runId != null) {
        const outputBlob = end.status === 'done' ? end.outputBlob : undefined;
        this.ws.runs.finish(job.runId, end.status, { ...(outputBlob && { outputBlob }), ...(error && { error }) });
      }
      return record;
    });
    if (end.status === 'done' && checkpoint) releaseUnreferenced(this.ws, [checkpoint]);
    return finished;
  }

  /** A running job whose process ended early: resumable from its last checkpoint. */
  interrupt(job: JobRecord, reason: string): JobRecord {
    return this.ws.durably(() => {
      const record = this.ws.jobs.interrupt(job.id, reason);
      if (job.runId != null) this.ws.runs.finish(job.runId, 'interrupted', { error: reason });
      return record;
    });
  }

  /**
   * Start-up recovery: jobs left running by a process that died are marked interrupted, with their
   * runs. Only the holder of the writer lock runs jobs, so holding it proves they are not running.
   */
  recover(): number[] {
    return this.ws.durably(() => {
      const ids = this.ws.jobs.interruptRunning();
      for (const id of ids) {
        const runId = this.ws.jobs.get(id)!.runId;
        if (runId != null && this.ws.runs.get(runId)?.status === 'running') this.ws.runs.finish(runId, 'interrupted');
      }
      return ids;
    });
  }

  /** Puts an interrupted job back in the queue; its run resumes when the job is claimed. */
  requeue(id: number): JobRecord {
    return this.ws.jobs.requeue(id);
  }

  /** Cancels a job that is not running (queued or interrupted), with its run. */
  cancelWaiting(id: number): JobRecord {
    return this.ws.durably(() => {
      const record = this.ws.jobs.cancel(id);
      if (record.runId != null) this.ws.runs.finish(record.runId, 'cancelled');
      return record;
    });
  }

  /** Adopts a checkpoint file from blobs/tmp and records it as the job's resume point, atomically. */
  recordCheckpoint(jobId: number, path: string, step: number): BlobRef {
    const superseded = this.ws.jobs.get(jobId)?.checkpointBlob;
    const ref = this.ws.durably(() => {
      const adopted = this.ws.blobs.adoptFile(path, CHECKPOINT_MEDIA_TYPE);
      this.ws.jobs.recordCheckpoint(jobId, adopted.hash, step);
      return adopted;
    });
    // the job resumes from the new one only; the old one goes unless something else points at it
    if (superseded && superseded !== ref.hash) releaseUnreferenced(this.ws, [superseded]);
    return ref;
  }
}
