// The contract between the job runner and the kinds of work it runs. A job kind is a zod schema for
// its configuration plus a `run(ctx)` function; everything a kind may touch comes through `ctx`:
// its config and seed, an engine runner for its device, progress and metrics reporting, checkpoint
// save/resume, writes to the workspace (made by the process that owns it) and a stop signal.
// Kinds run inside a job process (see host/), never in the process that owns the workspace.

import type { z } from 'zod';
import type { Runner } from '../engine/runtime/runner';
import type { HostTensor } from '../engine/tensor';
import type { JsonObject, Workspace } from '../store/index';
import type { RemoteStore } from './remote-store';

export interface JobIdentity {
  id: number;
  runId: number;
  kind: string;
  /** The device lane the job runs on: 'cpu' or 'cuda'. */
  device: string;
}

/** What a kind saves to resume from: a step, tensors (parameters, moments) and small JSON state. */
export interface JobCheckpoint {
  step: number;
  tensors: Record<string, HostTensor>;
  /** Anything else the kind needs to continue exactly (counters, partial scores); JSON only. */
  state: JsonObject;
}

export interface ProgressReport {
  step: number;
  total: number;
  loss?: number;
  /** Latest values of other metrics worth showing beside the loss (e.g. accuracy). */
  metrics?: Record<string, number>;
}

export interface CheckpointAccess {
  /** Steps between checkpoints, as configured for this job (0: only when stopping). */
  readonly every: number;
  /** True when `step` is a checkpoint step (a multiple of `every`). */
  due(step: number): boolean;
  /** Writes the checkpoint into the workspace and records it as the job's resume point (fsynced). */
  save(checkpoint: JobCheckpoint): Promise<void>;
  /** The checkpoint this attempt resumes from (undefined on a fresh start). */
  readonly resumeFrom: JobCheckpoint | undefined;
  /** The step of the newest checkpoint saved or resumed from (0 when none). */
  readonly lastStep: number;
}

export interface JobContext<Config> {
  readonly job: JobIdentity;
  readonly config: Config;
  readonly seed: number;
  /** Engine runner for the job's device, owned by the job process (run() may block it freely). */
  readonly runner: Runner;
  /** Aborted when the job is cancelled or the runner is shutting down. */
  readonly signal: AbortSignal;
  /** Writes through the process that owns the workspace (typed, one method per repository call). */
  readonly store: RemoteStore;
  /** A read-only view of the workspace (datasets, models, ...), opened on first use. */
  workspace(): Workspace;
  /**
   * Reports progress (events to listeners, the job row) and is the cancellation point: it yields to
   * the event loop, then throws JobCancelledError or JobStoppedError when asked to end.
   */
  progress(report: ProgressReport): Promise<void>;
  /** Just the cancellation point, for loops without progress to report. */
  throwIfStopped(): Promise<void>;
  /** Records metric values of a step (batched; flushed before every checkpoint and at the end). */
  metrics(step: number, values: Record<string, number>): void;
  readonly checkpoints: CheckpointAccess;
  /** Stores tensors (safetensors with string metadata) as a workspace blob; returns its hash. */
  saveTensors(tensors: Record<string, HostTensor>, metadata?: Record<string, string>): Promise<string>;
  /** Stores bytes (a JSON document such as a circuit file) as a workspace blob; returns its hash. */
  saveBlob(data: Uint8Array | string, mediaType: string): Promise<string>;
  log(message: string): void;
}

export interface JobResult {
  /** A blob holding the job's product (trained weights, an export); becomes the run's output. */
  outputBlob?: string;
  /** A few numbers or words about the outcome, kept in the job's progress detail. */
  summary?: JsonObject;
}

export interface JobKind<S extends z.ZodType = z.ZodType> {
  /** Unique name, e.g. 'train-tiny', 'ct-sft'. */
  readonly kind: string;
  readonly description: string;
  /** Validates (and fills defaults of) the configuration at enqueue time and again in the job process. */
  readonly config: S;
  run(ctx: JobContext<z.output<S>>): Promise<JobResult>;
}

/** Declares a kind with its config type inferred from the schema. */
export function defineJobKind<S extends z.ZodType>(kind: JobKind<S>): JobKind<S> {
  return kind;
}

/** The job was cancelled: it ends 'cancelled'. */
export class JobCancelledError extends Error {
  override name = 'JobCancelledError';
  constructor() {
    super('the job was cancelled');
  }
}

/** The owner is shutting down: the job ends 'interrupted' and can be resumed from its last checkpoint. */
export class JobStoppedError extends Error {
  override name = 'JobStoppedError';
  constructor() {
    super('the job was stopped so that its owner could close; resume it to continue');
  }
}
