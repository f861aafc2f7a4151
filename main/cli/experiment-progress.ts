// Progress of an experiment on stderr: one line per cell as it starts and ends (with its scores),
// and on a terminal a redrawn bar for the running cell.

import type { JobRunner } from '../jobs/index';
import type { JobRecord } from '../store/index';
import type { PlannedCell } from '../transfer/experiment/run-experiment';

function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

function seconds(s: number): string {
  return s < 60 ? `${s.toFixed(0)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** The scores a finished job reported (accuracy.<language>.<split>). */
function scores(job: JobRecord): string {
  const summary = (job.progressDetail['summary'] ?? {}) as Record<string, unknown>;
  const parts = Object.entries(summary)
    .filter(([k, v]) => k.startsWith('accuracy.') && typeof v === 'number')
    .map(([k, v]) => `${k.slice('accuracy.'.length).replace('.', ' ')} ${(v as number).toFixed(3)}`);
  if (typeof summary['circuit'] === 'string') parts.unshift(`circuit ${summary['circuit']}`);
  return parts.length > 0 ? ` — ${parts.join(', ')}` : '';
}

export function experimentProgress(name: string) {
  return (runner: JobRunner, plan: readonly PlannedCell[]): (() => void) => {
    const tty = process.stderr.isTTY === true;
    const byJob = new Map(plan.filter((p) => p.jobId !== undefined).map((p) => [p.jobId!, p]));
    const done = plan.filter((p) => p.state === 'done').length;
    const toRun = plan.filter((p) => ['queued', 'resumed', 'enqueued'].includes(p.state)).length;
    const skipped = plan.length - done - toRun;
    process.stderr.write(`experiment ${name}: ${plan.length} cells — ${done} done, ${toRun} to run${skipped ? `, ${skipped} failed or blocked` : ''}\n`);
    let position = done;
    const index = new Map<number, number>();
    const started = new Map<number, number>();
    const label = (jobId: number) => `[${index.get(jobId) ?? '?'}/${plan.length}] ${byJob.get(jobId)?.cell.key ?? `job ${jobId}`}`;
    const offs = [
      runner.on('started', (e) => {
        index.set(e.job.id, ++position);
        started.set(e.job.id, performance.now());
        const resumed = e.resumedFromStep ? ` (resuming from step ${e.resumedFromStep})` : '';
        process.stderr.write(`${label(e.job.id)} ${e.job.kind}${resumed}\n`);
      }),
      runner.on('progress', (e) => {
        if (!tty) return;
        const loss = e.loss !== undefined ? `  loss ${e.loss.toFixed(4)}` : '';
        const eta = e.etaSeconds !== null ? `  eta ${seconds(e.etaSeconds)}` : '';
        process.stderr.write(`\r  ${bar(e.fraction)} ${e.step}/${e.total}${loss}${eta}\x1b[K`);
      }),
      runner.on('finished', (e) => {
        const took = started.has(e.job.id) ? ` in ${seconds((performance.now() - started.get(e.job.id)!) / 1000)}` : '';
        const why = e.job.status === 'done' ? scores(e.job) : e.job.error ? `: ${e.job.error.split('\n')[0]}` : '';
        process.stderr.write(`${tty ? '\r\x1b[K' : ''}  ${e.job.status}${took}${why}\n`);
      }),
    ];
    return () => offs.forEach((off) => off());
  };
}
