// The job queue as the views see it: loaded once, then kept current by the job events (queued,
// started, progress, log, finished), and reloaded after a lost event stream comes back.

import { api, ApiCallError, type ApiEvent } from '../api/index';
import type { JobSummary } from '../../../main/api/contract/index';

const LOG_LINES = 20;

class JobsState {
  jobs = $state<JobSummary[]>([]);
  logs = $state<Record<number, string[]>>({});
  private readonly finishWaiters = new Map<number, ((job: JobSummary) => void)[]>();

  constructor() {
    api.onEvent((e) => this.apply(e));
    api.onReconnect(() => void this.refresh());
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.jobs = (await api.call('jobs.list', {})).jobs;
    } catch (e) {
      // an annotator signed in over the network has no job queue to see (review only)
      if (e instanceof ApiCallError && e.code === 'forbidden') return;
      throw e;
    }
    for (const job of this.jobs) if (isEnded(job)) this.settle(job);
  }

  /** Cancels or resumes a job, then reloads the queue (errors reach the caller). */
  async control(call: 'jobs.cancel' | 'jobs.resume', id: number): Promise<void> {
    await api.call(call, { id });
    await this.refresh();
  }

  get active(): number {
    return this.jobs.filter((j) => j.status === 'queued' || j.status === 'running').length;
  }

  byId(id: number): JobSummary | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  /** Resolves with the job once it has ended (done, failed, cancelled or interrupted). */
  ended(id: number): Promise<JobSummary> {
    const known = this.byId(id);
    if (known && isEnded(known)) return Promise.resolve(known);
    return new Promise((resolve) => this.finishWaiters.set(id, [...(this.finishWaiters.get(id) ?? []), resolve]));
  }

  private upsert(job: JobSummary): void {
    const i = this.jobs.findIndex((j) => j.id === job.id);
    if (i >= 0) this.jobs[i] = job;
    else this.jobs = [job, ...this.jobs];
  }

  private settle(job: JobSummary): void {
    for (const resolve of this.finishWaiters.get(job.id) ?? []) resolve(job);
    this.finishWaiters.delete(job.id);
  }

  private apply(e: ApiEvent): void {
    switch (e.type) {
      case 'job-queued':
      case 'job-started':
        return this.upsert(e.job);
      case 'job-finished':
        this.upsert(e.job);
        return this.settle(e.job);
      case 'job-progress': {
        const job = this.byId(e.progress.jobId);
        if (!job || isEnded(job)) return;
        const { step, total, loss, metrics, etaSeconds, elapsedSeconds } = e.progress;
        job.progress = e.progress.fraction;
        job.detail = { step, total, loss, metrics, etaSeconds, elapsedSeconds };
        return;
      }
      case 'job-log':
        this.logs[e.jobId] = [...(this.logs[e.jobId] ?? []), e.message].slice(-LOG_LINES);
        return;
      case 'workspace-changed':
        this.logs = {};
        void this.refresh();
        return;
    }
  }
}

export const isEnded = (job: JobSummary): boolean => ['done', 'failed', 'cancelled', 'interrupted'].includes(job.status);

export const jobs = new JobsState();
