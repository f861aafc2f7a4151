// Jobs as the UI sees them: a job row with its run's name and progress detail, and the runner's
// events turned into the contract's events (the same objects for both hosts).

import type { JobEvents, JobRunner } from '../jobs/index';
import type { JobRecord, Workspace } from '../store/index';
import type { ApiEvent, JobSummary } from './contract/index';

type SummaryValue = string | number | boolean | null;
const isSummary = (v: unknown): v is Record<string, SummaryValue> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x));

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function jobSummary(ws: Workspace, job: JobRecord): JobSummary {
  const d = job.progressDetail;
  const metrics = d['metrics'] && typeof d['metrics'] === 'object' ? (d['metrics'] as Record<string, number>) : undefined;
  const eta = d['etaSeconds'];
  return {
    id: job.id,
    kind: job.kind,
    name: job.runId == null ? null : (ws.runs.get(job.runId)?.name ?? null),
    runId: job.runId,
    device: job.device,
    status: job.status,
    progress: job.progress,
    detail: {
      ...(num(d['step']) !== undefined && { step: num(d['step']) }),
      ...(num(d['total']) !== undefined && { total: num(d['total']) }),
      ...(num(d['loss']) !== undefined && { loss: num(d['loss']) }),
      ...(metrics && { metrics }),
      ...(eta !== undefined && { etaSeconds: num(eta) ?? null }),
      ...(num(d['elapsedSeconds']) !== undefined && { elapsedSeconds: num(d['elapsedSeconds']) }),
      ...(isSummary(d['summary']) && { summary: d['summary'] }),
    },
    error: job.error,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    resumable: job.status === 'interrupted',
  };
}

/** Forwards the runner's events as API events; returns the function that stops forwarding. */
export function forwardJobEvents(ws: Workspace, runner: JobRunner, emit: (event: ApiEvent) => void): () => void {
  const view = (job: JobRecord) => jobSummary(ws, job);
  const offs = [
    runner.on('queued', (e: JobEvents['queued']) => emit({ type: 'job-queued', job: view(e.job) })),
    runner.on('started', (e) => emit({ type: 'job-started', job: view(e.job), provider: e.provider, resumedFromStep: e.resumedFromStep })),
    runner.on('progress', (e) => emit({ type: 'job-progress', progress: { ...e } })),
    runner.on('log', (e) => emit({ type: 'job-log', jobId: e.jobId, message: e.message.slice(0, 2000) })),
    runner.on('finished', (e) => emit({ type: 'job-finished', job: view(e.job) })),
  ];
  return () => offs.forEach((off) => off());
}
