// Messages between the runner (in the process that owns the workspace) and a job process. The
// channel is Node's IPC with structured-clone serialization, or a MessagePortMain in a packaged app
// (port-child.ts; structured clone too), so tensors and typed arrays survive.
// A job process writes nothing to the database itself: every write is a message the owner applies.

import type { BlobRef, MetricPoint } from '../store/index';
import type { ProviderChoice } from '../engine/runtime/provider';
import type { JobIdentity, JobResult, ProgressReport } from './types';
import type { StoreCall } from './remote-store';

export interface StartJob {
  type: 'start';
  job: JobIdentity;
  config: unknown;
  seed: number;
  /** Module exporting `jobKinds` (the registry the owner validated the config with). */
  kindsModule: string;
  workspaceDir: string;
  /** Where the job writes blob files before the owner adopts them (blobs/tmp). */
  blobTmpDir: string;
  checkpointEvery: number;
  /** The recorded checkpoint to resume from. */
  resumeFrom?: { path: string; step: number };
  /** Engine threads (default: all cores). */
  threads?: number;
}

export type ToJobProcess =
  | StartJob
  /** End the job as cancelled at its next cancellation point. */
  | { type: 'cancel' }
  /** End the job as interrupted (resumable), after a final checkpoint where the kind supports one. */
  | { type: 'stop' }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

/** Requests the job process waits on; the owner answers each with a reply. */
export type OwnerCall =
  /** Adopt a complete file from blobs/tmp as a blob; answers a BlobRef. */
  | { method: 'adoptBlob'; path: string; mediaType: string }
  /** Adopt a checkpoint file and record it (with its step) as the job's resume point; answers a BlobRef. */
  | { method: 'recordCheckpoint'; path: string; step: number }
  /** A repository call (see remote-store.ts); answers its result. */
  | { method: 'store'; call: StoreCall };

export interface ProgressMessage extends ProgressReport {
  elapsedSeconds: number;
  etaSeconds: number | null;
}

export type JobOutcome =
  | { status: 'done'; result: JobResult }
  | { status: 'failed'; error: string }
  | { status: 'cancelled' }
  | { status: 'stopped' };

export type FromJobProcess =
  | { type: 'ready'; pid: number; provider: ProviderChoice; resumedFromStep: number | null }
  | { type: 'progress'; progress: ProgressMessage }
  | { type: 'metrics'; points: MetricPoint[] }
  | { type: 'log'; message: string }
  | { type: 'call'; id: number; call: OwnerCall }
  | { type: 'finished'; outcome: JobOutcome };

export type { BlobRef };
