// Job calls: the queue with progress and ETA, cancel, resume. Progress itself streams as events
// (events.ts); `jobs.list` gives the state to start from.

import { z } from 'zod';
import { id, timestamp } from './common';

export const jobStatus = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export type JobStatusName = z.infer<typeof jobStatus>;

export const jobProgress = z.object({
  step: z.number().optional(),
  total: z.number().optional(),
  loss: z.number().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  etaSeconds: z.number().nullable().optional(),
  elapsedSeconds: z.number().optional(),
  /** What a finished job reports about its outcome, e.g. { datasetId: 3 } or { circuitId: 7 }. */
  summary: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export const jobSummary = z.object({
  id,
  kind: z.string(),
  /** The run's name, e.g. "discover jav on lontar-demo-qwen2". */
  name: z.string().nullable(),
  runId: id.nullable(),
  device: z.string(),
  status: jobStatus,
  /** 0..1 */
  progress: z.number(),
  detail: jobProgress,
  error: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  /** Resumable: an interrupted job. */
  resumable: z.boolean(),
});
export type JobSummary = z.infer<typeof jobSummary>;

export const jobCalls = {
  'jobs.list': {
    request: z.strictObject({ status: jobStatus.optional(), limit: z.number().int().min(1).max(1000).default(200) }),
    response: z.object({ jobs: z.array(jobSummary) }),
  },
  /** A queued or interrupted job ends at once; a running one at its next cancellation point (its event says when). */
  'jobs.cancel': { request: z.strictObject({ id }), response: z.object({ job: jobSummary }) },
  'jobs.resume': { request: z.strictObject({ id }), response: z.object({ job: jobSummary }) },
} as const;
