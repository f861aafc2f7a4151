// Builds the JobContext a kind runs with, inside the job process: progress with an ETA, batched
// metrics, checkpoints written into blobs/tmp and handed to the owner to adopt and record, and the
// cancellation point that lets the owner's cancel/stop messages in between engine runs.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Runner } from '../../engine/runtime/runner';
import type { HostTensor } from '../../engine/tensor';
import { writeSafetensors } from '../../models/checkpoint/safetensors-write';
import { Workspace, type BlobRef, type MetricPoint } from '../../store/index';
import { readCheckpointFile, writeCheckpointFile } from '../checkpoint-file';
import { EtaEstimator } from '../eta';
import type { StartJob } from '../protocol';
import { remoteStore } from '../remote-store';
import { JobCancelledError, JobStoppedError, type CheckpointAccess, type JobCheckpoint, type JobContext, type ProgressReport } from '../types';
import type { OwnerChannel } from './owner-channel';

export const TENSORS_MEDIA_TYPE = 'application/vnd.lontar.tensors+safetensors';
/** Metrics are sent in batches: at this many points, or when this much time has passed. */
const METRIC_BATCH_POINTS = 256;
const METRIC_BATCH_MS = 250;
/** Progress messages at most this often (the last step is always sent). */
const PROGRESS_INTERVAL_MS = 100;

export interface HostedContext<C> {
  ctx: JobContext<C>;
  /** Sends the metrics still buffered. */
  flush(): Promise<void>;
  /** Marks the job as asked to end; the next cancellation point throws. */
  request(command: 'cancel' | 'stop'): void;
  close(): void;
}

export function hostContext<C>(start: StartJob, config: C, runner: Runner, channel: OwnerChannel): HostedContext<C> {
  const controller = new AbortController();
  let ending: 'cancel' | 'stop' | undefined;
  let buffer: MetricPoint[] = [];
  let lastFlush = performance.now();
  let lastProgress = -Infinity;
  let workspace: Workspace | undefined;
  const eta = new EtaEstimator();
  const origin = { kind: start.job.kind, seed: start.seed, config };

  const flush = async () => {
    lastFlush = performance.now();
    if (buffer.length === 0) return;
    const points = buffer;
    buffer = [];
    await channel.send({ type: 'metrics', points });
  };

  const tempPath = (label: string) => join(start.blobTmpDir, `${label}.job${start.job.id}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);

  const throwIfStopped = async () => {
    await nextTurn(); // let the owner's messages in: an engine run may have held this thread since
    if (ending === 'cancel') throw new JobCancelledError();
    if (ending === 'stop') throw new JobStoppedError();
  };

  const resumeFrom = start.resumeFrom ? readResumePoint(start) : undefined;
  let lastStep = resumeFrom?.step ?? 0;
  const every = start.checkpointEvery;
  const checkpoints: CheckpointAccess = {
    every,
    due: (step) => every > 0 && step > 0 && step % every === 0,
    resumeFrom,
    get lastStep() {
      return lastStep;
    },
    async save(cp: JobCheckpoint) {
      await flush(); // metrics up to the checkpoint are committed before the checkpoint is
      const path = tempPath(`checkpoint-step${cp.step}`);
      writeCheckpointFile(path, cp, origin);
      await channel.call<BlobRef>({ method: 'recordCheckpoint', path, step: cp.step });
      lastStep = cp.step;
    },
  };

  const ctx: JobContext<C> = {
    job: start.job,
    config,
    seed: start.seed,
    runner,
    signal: controller.signal,
    store: remoteStore((call) => channel.call({ method: 'store', call })),
    workspace: () => (workspace ??= Workspace.open(start.workspaceDir, { readonly: true })),
    throwIfStopped,
    async progress(report: ProgressReport) {
      const etaSeconds = eta.update(report.step, report.total);
      const now = performance.now();
      if (now - lastProgress >= PROGRESS_INTERVAL_MS || report.step >= report.total) {
        lastProgress = now;
        await channel.send({ type: 'progress', progress: { ...report, etaSeconds, elapsedSeconds: eta.elapsedSeconds() } });
      }
      await throwIfStopped();
    },
    metrics(step, values) {
      for (const [name, value] of Object.entries(values)) buffer.push({ step, name, value });
      if (buffer.length >= METRIC_BATCH_POINTS || performance.now() - lastFlush >= METRIC_BATCH_MS) flush().catch(ignore);
    },
    checkpoints,
    async saveTensors(tensors: Record<string, HostTensor>, metadata: Record<string, string> = {}) {
      const path = tempPath('tensors');
      writeSafetensors(path, tensors, metadata);
      return (await channel.call<BlobRef>({ method: 'adoptBlob', path, mediaType: TENSORS_MEDIA_TYPE })).hash;
    },
    async saveBlob(data: Uint8Array | string, mediaType: string) {
      const path = tempPath('blob');
      writeFileSync(path, data); // the owner fsyncs while adopting it
      return (await channel.call<BlobRef>({ method: 'adoptBlob', path, mediaType })).hash;
    },
    log(message) {
      channel.send({ type: 'log', message }).catch(ignore);
    },
  };

  return {
    ctx,
    flush,
    request(command) {
      if (command === 'cancel' || !ending) ending = command; // a cancel outranks a stop
      controller.abort(command);
    },
    close() {
      workspace?.close();
    },
  };
}

function readResumePoint(start: StartJob): JobCheckpoint {
  const cp = readCheckpointFile(start.resumeFrom!.path, start.job.kind);
  if (cp.step !== start.resumeFrom!.step) {
    throw new Error(`checkpoint ${start.resumeFrom!.path} holds step ${cp.step}, but the job recorded step ${start.resumeFrom!.step}`);
  }
  return { step: cp.step, tensors: cp.tensors, state: cp.state };
}

/** A lost message means a lost owner; the process ends on 'disconnect' anyway. */
function ignore(): void {}
