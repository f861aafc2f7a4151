// The job runner of the process that owns a workspace. Jobs wait in the jobs table (FIFO by id);
// each device has one lane that runs one heavy job at a time in its own job process, records what
// the job reports (progress, metrics per step, checkpoints, the outcome), and tells listeners.
// Start-up recovery marks jobs a dead process left running as interrupted; `resume` requeues one,
// and it continues from its last checkpoint.

import { mkdirSync } from 'node:fs';
import type { JobRecord, Workspace } from '../store/index';
import { cancelRequests, clearCancelRequest } from './cancel-requests';
import { TypedEmitter, type JobEvents } from './events';
import { JobProcess, spawnWithTsx, type JobProcessEnd, type JobProcessListener, type JobProcessSpawner } from './job-process';
import { JobLedger, type JobEnd } from './ledger';
import type { OwnerCall } from './protocol';
import { JobConfigError, type JobRegistry } from './registry';
import { executeStoreCall } from './remote-store';

export interface JobRunnerOptions {
  registry: JobRegistry;
  /** One lane per device, each running one job at a time (default: ['cpu']). */
  devices?: readonly string[];
  /** Engine threads per job process, unless the job says otherwise (default: all cores). */
  threads?: number;
  /** Steps between checkpoints for jobs that do not say (default 50). */
  checkpointEvery?: number;
  /** How long a cancelled job may take to reach its cancellation point before it is killed (ms). */
  cancelGraceMs?: number;
  /** How long a stopping job may take to checkpoint and end before it is killed (ms). */
  stopGraceMs?: number;
  /**
   * Claim only jobs with an id up to this one: a short-lived owner (the CLI running one job) runs
   * that job and those queued before it, and leaves later ones queued instead of stopping them.
   */
  claimUpTo?: number;
  /** How often to look for cancel requests from other processes (ms). */
  requestPollMs?: number;
  spawn?: JobProcessSpawner;
}

export interface EnqueueRequest {
  kind: string;
  config?: unknown;
  seed?: number;
  device?: string;
  checkpointEvery?: number;
  threads?: number;
  name?: string;
  modelId?: number;
  datasetId?: number;
  parentRunId?: number;
}

export class JobStateError extends Error {
  override name = 'JobStateError';
}

interface ActiveJob {
  job: JobRecord;
  process: JobProcess;
  /** The job process has loaded its kind and may be writing; before that, killing it loses nothing. */
  ready?: boolean;
  ending?: 'cancel' | 'stop';
  killTimer?: NodeJS.Timeout;
}

const ENDED = new Set(['done', 'failed', 'cancelled', 'interrupted']);
/** Devices a job can ask for: onnxruntime's CPU provider, or its CUDA provider. */
export const DEVICES = ['cpu', 'cuda'] as const;

export class JobRunner {
  private readonly ledger: JobLedger;
  private readonly events = new TypedEmitter<JobEvents>();
  private readonly active = new Map<number, ActiveJob>();
  private readonly wakers = new Map<string, () => void>();
  private readonly idleLanes = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly jobWaiters = new Map<number, ((job: JobRecord) => void)[]>();
  private readonly devices: readonly string[];
  private lanes: Promise<void>[] = [];
  private poller: NodeJS.Timeout | undefined;
  private started = false;
  private closing = false;

  constructor(
    private readonly ws: Workspace,
    private readonly options: JobRunnerOptions,
  ) {
    this.ledger = new JobLedger(ws);
    this.devices = options.devices ?? ['cpu'];
  }

  on<E extends keyof JobEvents & string>(event: E, listener: (payload: JobEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Validates the configuration, then records a run and its queued job (fsynced). */
  enqueue(req: EnqueueRequest): JobRecord {
    const config = this.options.registry.parseConfig(req.kind, req.config);
    const seed = req.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw new JobConfigError(`seed must be an integer, got ${seed}`);
    const device = req.device ?? 'cpu';
    if (!(DEVICES as readonly string[]).includes(device)) throw new JobConfigError(`device must be one of ${DEVICES.join(', ')}, got "${device}"`);
    const job = this.ledger.enqueue({
      kind: req.kind,
      config,
      seed,
      device,
      payload: { checkpointEvery: req.checkpointEvery ?? this.options.checkpointEvery ?? 50, ...(req.threads && { threads: req.threads }) },
      ...(req.name !== undefined && { name: req.name }),
      ...(req.modelId !== undefined && { modelId: req.modelId }),
      ...(req.datasetId !== undefined && { datasetId: req.datasetId }),
      ...(req.parentRunId !== undefined && { parentRunId: req.parentRunId }),
    });
    this.events.emit('queued', { job });
    this.wake(job.device);
    return job;
  }

  /** Marks jobs left running by a dead process as interrupted; returns their ids. */
  recover(): number[] {
    return this.ledger.recover();
  }

  /** Recovers, then starts one lane per device. Returns the ids recovery interrupted. */
  start(): number[] {
    if (this.started) return [];
    this.started = true;
    const interrupted = this.recover();
    mkdirSync(this.ws.blobs.tmpDir, { recursive: true });
    this.lanes = this.devices.map((d) => this.lane(d));
    this.poller = setInterval(() => this.pollCancelRequests(), this.options.requestPollMs ?? 250).unref(); // lanes and job processes keep the owner alive, not this
    this.pollCancelRequests();
    return interrupted;
  }

  /** Requeues an interrupted job (a queued one is left as it is); it resumes from its checkpoint. */
  resume(id: number): JobRecord {
    const job = this.get(id);
    if (job.status === 'queued') return job;
    if (job.status !== 'interrupted') throw new JobStateError(`job ${id} is ${job.status}; only an interrupted job can be resumed`);
    const record = this.ledger.requeue(id);
    this.events.emit('queued', { job: record });
    this.wake(record.device);
    return record;
  }

  /** Cancels a job: at once when waiting, at its next cancellation point when running. */
  async cancel(id: number): Promise<JobRecord> {
    const active = this.active.get(id);
    if (active) {
      active.ending = 'cancel';
      if (!active.ready) active.process.kill(); // still starting up: nothing to wait for
      active.process.request('cancel');
      clearTimeout(active.killTimer);
      active.killTimer = setTimeout(() => active.process.kill(), this.options.cancelGraceMs ?? 10_000);
      return this.waitFor(id);
    }
    const job = this.get(id);
    if (job.status === 'queued' || job.status === 'interrupted') {
      const record = this.ledger.cancelWaiting(id);
      this.ended(record);
      return record;
    }
    if (job.status === 'running') throw new JobStateError(`job ${id} is marked running but this runner is not running it; recover() first`);
    throw new JobStateError(`job ${id} is ${job.status}; only queued, running or interrupted jobs can be cancelled`);
  }

  /** Resolves when the job has left the queue and its lane: done, failed, cancelled or interrupted. */
  waitFor(id: number): Promise<JobRecord> {
    const job = this.get(id);
    if (ENDED.has(job.status) && !this.active.has(id)) return Promise.resolve(job);
    return new Promise((resolve) => this.jobWaiters.set(id, [...(this.jobWaiters.get(id) ?? []), resolve]));
  }

  /** Resolves when no lane is running a job and none of their devices has a queued job. */
  idle(): Promise<void> {
    if (this.allIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking jobs; running ones checkpoint where they can and end interrupted (resumable). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.poller);
    for (const a of this.active.values()) {
      if (a.ending === 'cancel') continue;
      a.ending = 'stop';
      a.process.request('stop');
      a.killTimer = setTimeout(() => a.process.kill(), this.options.stopGraceMs ?? 30_000);
    }
    for (const wake of this.wakers.values()) wake();
    await Promise.all(this.lanes);
  }

  private get(id: number): JobRecord {
    const job = this.ws.jobs.get(id);
    if (!job) throw new JobStateError(`no job ${id}`);
    return job;
  }

  private wake(device: string): void {
    this.idleLanes.delete(device);
    const wake = this.wakers.get(device);
    this.wakers.delete(device);
    wake?.();
  }

  private allIdle(): boolean {
    if (!this.started || this.closing) return this.active.size === 0;
    if (this.active.size > 0 || this.devices.some((d) => !this.idleLanes.has(d))) return false;
    const limit = this.options.claimUpTo ?? Infinity;
    return !this.ws.jobs.list({ status: 'queued' }).some((j) => this.devices.includes(j.device) && j.id <= limit);
  }

  private async lane(device: string): Promise<void> {
    while (!this.closing) {
      let job: JobRecord | undefined;
      try {
        job = this.ledger.claimNext(device, this.options.claimUpTo);
      } catch (e) {
        process.emitWarning(`jobs on ${device}: could not claim the next job: ${e instanceof Error ? e.message : String(e)}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (!job) {
        this.idleLanes.add(device);
        if (this.allIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
        await new Promise<void>((resolve) => this.wakers.set(device, resolve));
        continue;
      }
      try {
        await this.execute(job);
      } catch (e) {
        process.emitWarning(`job ${job.id}: the runner could not record its end: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (this.allIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async execute(job: JobRecord): Promise<void> {
    const fail = (error: string) => this.ended(this.ledger.finish(job, { status: 'failed', error }));
    const run = job.runId == null ? undefined : this.ws.runs.get(job.runId);
    if (!run) return fail(`job ${job.id} has no run`);
    if (!this.options.registry.has(job.kind)) return fail(`unknown job kind "${job.kind}"`);
    const payload = this.ledger.payload(job);
    if (typeof payload === 'string') return fail(payload);
    if (cancelRequests(this.ws.dir).includes(job.id)) return this.ended(this.ledger.finish(job, { status: 'cancelled' }));
    let child;
    try {
      child = (this.options.spawn ?? spawnWithTsx)();
    } catch (e) {
      return fail(`could not start a job process: ${e instanceof Error ? e.message : String(e)}`);
    }
    const active: ActiveJob = { job, process: new JobProcess(child, this.listener(job, () => (active.ready = true))) };
    this.active.set(job.id, active);
    const threads = payload.threads ?? this.options.threads;
    active.process.start({
      type: 'start',
      job: { id: job.id, runId: run.id, kind: job.kind, device: job.device },
      config: run.config,
      seed: run.seed,
      kindsModule: this.options.registry.moduleUrl,
      workspaceDir: this.ws.dir,
      blobTmpDir: this.ws.blobs.tmpDir,
      checkpointEvery: payload.checkpointEvery,
      ...(job.checkpointBlob && { resumeFrom: { path: this.ws.blobs.pathOf(job.checkpointBlob), step: job.checkpointStep ?? 0 } }),
      ...(threads !== undefined && { threads }),
    });
    const end = await active.process.ended;
    clearTimeout(active.killTimer);
    this.active.delete(job.id);
    this.ended(this.record(job, end, active.ending));
  }

  private record(job: JobRecord, end: JobProcessEnd, ending: ActiveJob['ending']): JobRecord {
    if ('reported' in end) {
      const outcome = end.reported;
      if (outcome.status === 'stopped') return this.ledger.interrupt(job, 'stopped: the runner was closing');
      const how: JobEnd =
        outcome.status === 'done'
          ? { status: 'done', ...(outcome.result.outputBlob && { outputBlob: outcome.result.outputBlob }), ...(outcome.result.summary && { summary: outcome.result.summary }) }
          : outcome;
      return this.ledger.finish(job, how);
    }
    if (ending === 'cancel') return this.ledger.finish(job, { status: 'cancelled' });
    if (ending === 'stop') return this.ledger.interrupt(job, 'stopped: the runner was closing');
    const { code, signal, stderr } = end.exited;
    const lastLine = stderr.split('\n').filter(Boolean).pop();
    const why = signal ? `signal ${signal}` : `exit code ${code}`;
    return this.ledger.interrupt(job, `the job process ended unexpectedly (${why})${lastLine ? `: ${lastLine}` : ''}`);
  }

  private ended(job: JobRecord): void {
    clearCancelRequest(this.ws.dir, job.id);
    this.events.emit('finished', { job });
    for (const resolve of this.jobWaiters.get(job.id) ?? []) resolve(job);
    this.jobWaiters.delete(job.id);
  }

  private listener(job: JobRecord, onReady: () => void): JobProcessListener {
    const runId = job.runId;
    return {
      ready: (info) => {
        onReady();
        this.events.emit('started', { job: this.get(job.id), pid: info.pid, provider: info.provider.provider, resumedFromStep: info.resumedFromStep });
      },
      progress: (p) => {
        const fraction = p.total > 0 ? Math.min(1, Math.max(0, p.step / p.total)) : 0;
        const detail = { step: p.step, total: p.total, loss: p.loss, metrics: p.metrics, etaSeconds: p.etaSeconds, elapsedSeconds: p.elapsedSeconds };
        this.ws.jobs.reportProgress(job.id, fraction, detail);
        this.events.emit('progress', { jobId: job.id, runId, kind: job.kind, fraction, ...detail });
      },
      metrics: (points) => {
        if (runId != null) this.ws.metrics.recordMany(runId, points);
      },
      log: (message) => this.events.emit('log', { jobId: job.id, message }),
      call: (call: OwnerCall) => {
        switch (call.method) {
          case 'adoptBlob':
            return this.ws.blobs.adoptFile(call.path, call.mediaType);
          case 'recordCheckpoint': {
            const ref = this.ledger.recordCheckpoint(job.id, call.path, call.step);
            this.events.emit('checkpoint', { jobId: job.id, runId, step: call.step, blob: ref.hash });
            return ref;
          }
          case 'store':
            return executeStoreCall(this.ws, call.call);
        }
      },
    };
  }

  private pollCancelRequests(): void {
    for (const id of cancelRequests(this.ws.dir)) {
      const job = this.ws.jobs.get(id);
      if (!job || (ENDED.has(job.status) && job.status !== 'interrupted')) clearCancelRequest(this.ws.dir, id);
      else if (this.active.has(id) || job.status === 'queued' || job.status === 'interrupted') {
        if (this.active.get(id)?.ending !== 'cancel') this.cancel(id).catch((e: unknown) => process.emitWarning(`cancel request for job ${id}: ${String(e)}`));
      }
    }
  }
}
