// What the hosts push to the UI without being asked: the job runner's events (queued, started,
// progress with ETA, log lines, finished) and a workspace switch. Browser mode sends them over a
// WebSocket, the desktop shell over IPC; both send exactly these objects.

import { z } from 'zod';
import { id } from './common';
import { jobSummary } from './jobs';
import { workspaceInfo } from './workspace';

export const jobProgressEvent = z.object({
  jobId: id,
  runId: id.nullable(),
  kind: z.string(),
  step: z.number(),
  total: z.number(),
  fraction: z.number(),
  loss: z.number().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  etaSeconds: z.number().nullable(),
  elapsedSeconds: z.number(),
});
export type JobProgressView = z.infer<typeof jobProgressEvent>;

export const apiEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job-queued'), job: jobSummary }),
  z.object({ type: z.literal('job-started'), job: jobSummary, provider: z.string(), resumedFromStep: z.number().nullable() }),
  z.object({ type: z.literal('job-progress'), progress: jobProgressEvent }),
  z.object({ type: z.literal('job-log'), jobId: id, message: z.string() }),
  z.object({ type: z.literal('job-finished'), job: jobSummary }),
  z.object({ type: z.literal('workspace-changed'), workspace: workspaceInfo }),
]);
export type ApiEvent = z.infer<typeof apiEvent>;
