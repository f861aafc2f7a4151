// The wizard's long calls: each starts a job and resolves when it has ended, with what it made.

import { api } from '../../api/index';
import type { ExportSummary } from '../../../../main/api/contract/index';
import { jobs } from '../../lib/jobs.svelte';

export class JobEndedError extends Error {}

async function finished(jobId: number): Promise<Record<string, unknown>> {
  const job = await jobs.ended(jobId);
  if (job.status !== 'done') throw new JobEndedError(job.error ?? job.status);
  return job.detail.summary ?? {};
}

/** Verifies an export; resolves with the export and its stored verification. */
export async function verifyExport(id: number, started: (jobId: number) => void): Promise<ExportSummary> {
  const { jobId } = await api.call('exports.verify', { id });
  started(jobId);
  await finished(jobId);
  return (await api.call('exports.get', { id })).export;
}

/** Waits for an export job; resolves with the export id its summary names. */
export async function exportMade(jobId: number): Promise<number> {
  const summary = await finished(jobId);
  const id = summary['exportId'];
  if (typeof id !== 'number') throw new JobEndedError('the export job recorded no export');
  return id;
}
