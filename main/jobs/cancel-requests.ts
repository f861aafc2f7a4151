// Cancelling a job from another process. Only the process holding the workspace's writer lock runs
// jobs and writes their rows, so `lontar jobs cancel` run elsewhere cannot change the job itself: it
// leaves a request file, which the runner in the owning process picks up within a poll interval.
// A request file is tiny and idempotent; the runner deletes it once the job has ended.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const REQUEST_DIR = 'requests';
const PREFIX = 'cancel-job-';

const requestDir = (workspaceDir: string) => join(workspaceDir, REQUEST_DIR);

export function requestCancel(workspaceDir: string, jobId: number): void {
  mkdirSync(requestDir(workspaceDir), { recursive: true });
  writeFileSync(join(requestDir(workspaceDir), `${PREFIX}${jobId}`), `${new Date().toISOString()} pid ${process.pid}\n`);
}

/** Job ids with a pending cancel request. */
export function cancelRequests(workspaceDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(requestDir(workspaceDir));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(PREFIX))
    .map((n) => Number(n.slice(PREFIX.length)))
    .filter((id) => Number.isSafeInteger(id) && id > 0);
}

export function clearCancelRequest(workspaceDir: string, jobId: number): void {
  rmSync(join(requestDir(workspaceDir), `${PREFIX}${jobId}`), { force: true });
}
