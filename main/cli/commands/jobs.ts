// `lontar jobs list|kinds|start|run|resume|cancel`. The CLI process becomes the workspace's owner
// while it runs jobs (it holds the writer lock), shows progress on stderr, and on Ctrl-C stops the
// job at a checkpoint, leaving it interrupted and resumable. `list` opens read-only, so it works
// beside the desktop app; `cancel` of a job another process runs leaves a cancel request for it.
// Exit codes: 0 done, 1 a job failed / was cancelled / was interrupted, 2 usage, 3 workspace unavailable.

import { InvalidArgumentError, type Command } from 'commander';
import {
  JobConfigError,
  JobRegistry,
  JobRunner,
  JobStateError,
  requestCancel,
  type JobEvents,
  type JobProgressEvent,
} from '../../jobs/index';
import { JOB_STATUSES, Workspace, WorkspaceInUseError, type JobRecord, type JobStatus } from '../../store/index';
import { CliError, emit } from '../output';
import { WORKSPACE_HELP, withWorkspaceErrors, workspaceDir } from './workspace';

const integer = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};

const jobId = (v: string): number => {
  const n = integer(v);
  if (n === 0) throw new InvalidArgumentError('job ids start at 1');
  return n;
};

const status = (v: string): JobStatus => {
  if (!(JOB_STATUSES as readonly string[]).includes(v)) throw new InvalidArgumentError(`one of ${JOB_STATUSES.join(', ')}`);
  return v as JobStatus;
};

const jsonConfig = (v: string): unknown => {
  try {
    return JSON.parse(v);
  } catch {
    throw new InvalidArgumentError('expected JSON, e.g. \'{"steps": 100}\'');
  }
};

/** Job errors a user can act on → CLI exit codes. */
async function withJobErrors<T>(fn: () => T | Promise<T>): Promise<T> {
  return withWorkspaceErrors(async () => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof JobConfigError) throw new CliError(e.message, 2);
      if (e instanceof JobStateError) throw new CliError(e.message, 1);
      throw e;
    }
  });
}

export interface RunFlags {
  workspace?: string;
  threads?: number;
  json?: boolean;
}

export function registerJobs(program: Command): void {
  const group = program.command('jobs').description('background jobs: list, start, run the queue, resume, cancel');

  group
    .command('list')
    .description('jobs in the workspace with status, progress and last checkpoint (read-only)')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--status <status>', `only jobs with this status (${JOB_STATUSES.join(', ')})`, status)
    .option('--json', 'machine-readable output')
    .action((flags: { workspace?: string; status?: JobStatus; json?: boolean }) =>
      withJobErrors(() => {
        const ws = Workspace.open(workspaceDir(flags.workspace), { readonly: true });
        try {
          const jobs = ws.jobs.list(flags.status ? { status: flags.status } : {});
          emit(Boolean(flags.json), { workspace: ws.dir, jobs }, () => formatJobTable(jobs));
        } finally {
          ws.close();
        }
      }),
    );

  group
    .command('kinds')
    .description('the job kinds this Lontar can run')
    .option('--json', 'machine-readable output')
    .action((flags: { json?: boolean }) =>
      withJobErrors(async () => {
        const kinds = (await JobRegistry.load()).list().map((k) => ({ kind: k.kind, description: k.description, defaults: k.config.safeParse({}).data ?? null }));
        emit(Boolean(flags.json), kinds, () => kinds.map((k) => `${k.kind.padEnd(16)} ${k.description}`).join('\n'));
      }),
    );

  group
    .command('start')
    .description('queue a job and run it here (with the jobs queued before it), progress on stderr')
    .argument('<kind>', 'job kind (see `lontar jobs kinds`), e.g. train-tiny')
    .option('--workspace <dir>', `${WORKSPACE_HELP}; created if absent`)
    .option('--config <json>', 'the kind\'s configuration as JSON (defaults fill the rest)', jsonConfig)
    .option('--seed <n>', 'seed of the run (default 0)', integer)
    .option('--device <device>', 'cpu or cuda (default cpu)')
    .option('--checkpoint-every <steps>', 'steps between checkpoints (default 50; 0: only when stopped)', integer)
    .option('--threads <n>', 'engine threads of the job process (default: all cores)', jobId)
    .option('--name <name>', 'a name for the run')
    .option('--enqueue-only', 'queue the job and return; run it later with `lontar jobs run`')
    .option('--json', 'machine-readable output')
    .action(
      (
        kind: string,
        flags: RunFlags & { config?: unknown; seed?: number; device?: string; checkpointEvery?: number; name?: string; enqueueOnly?: boolean },
      ) =>
        withJobErrors(async () => {
          const registry = await JobRegistry.load();
          const config = registry.parseConfig(kind, flags.config); // before a workspace is created for it
          const ws = Workspace.open(workspaceDir(flags.workspace), { create: true });
          try {
            const queued = new JobRunner(ws, { registry }).enqueue({
              kind,
              config,
              ...(flags.seed !== undefined && { seed: flags.seed }),
              ...(flags.device !== undefined && { device: flags.device }),
              ...(flags.checkpointEvery !== undefined && { checkpointEvery: flags.checkpointEvery }),
              ...(flags.threads !== undefined && { threads: flags.threads }),
              ...(flags.name !== undefined && { name: flags.name }),
            });
            if (flags.enqueueOnly) {
              emit(Boolean(flags.json), { workspace: ws.dir, job: queued }, () => `queued job ${queued.id} (${kind}, run ${queued.runId})`);
              return;
            }
            const [job] = await runHere(ws, registry, flags, queued.id, [queued.device]);
            reportEnd(flags, ws, job!);
          } finally {
            ws.close();
          }
        }),
    );

  group
    .command('run')
    .description('run every queued job, one at a time per device, until the queue is empty')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--threads <n>', 'engine threads per job process (default: all cores)', jobId)
    .option('--json', 'machine-readable output')
    .action((flags: RunFlags) =>
      withJobErrors(async () => {
        const ws = Workspace.open(workspaceDir(flags.workspace));
        try {
          const devices = [...new Set(['cpu', ...ws.jobs.list({ status: 'queued' }).map((j) => j.device)])];
          const ran = await runHere(ws, await JobRegistry.load(), flags, undefined, devices);
          emit(Boolean(flags.json), { workspace: ws.dir, jobs: ran }, () => (ran.length ? formatJobTable(ran) : 'no queued jobs'));
          if (ran.some((j) => j.status !== 'done')) throw new CliError('not every job finished (see above)', 1);
        } finally {
          ws.close();
        }
      }),
    );

  group
    .command('resume')
    .description('requeue an interrupted job and run it here from its last checkpoint')
    .argument('<id>', 'job id', jobId)
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--threads <n>', 'engine threads of the job process (default: all cores)', jobId)
    .option('--enqueue-only', 'requeue only; run it later with `lontar jobs run`')
    .option('--json', 'machine-readable output')
    .action((id: number, flags: RunFlags & { enqueueOnly?: boolean }) =>
      withJobErrors(async () => {
        const ws = Workspace.open(workspaceDir(flags.workspace));
        try {
          const registry = await JobRegistry.load();
          const runner = new JobRunner(ws, { registry });
          reportRecovered(runner.recover()); // holding the lock proves a 'running' row is left over from a dead process
          const queued = runner.resume(id);
          if (flags.enqueueOnly) {
            emit(Boolean(flags.json), { workspace: ws.dir, job: queued }, () => `job ${id} queued to resume from step ${queued.checkpointStep ?? 0}`);
            return;
          }
          const [job] = await runHere(ws, registry, flags, id, [queued.device]);
          reportEnd(flags, ws, job!);
        } finally {
          ws.close();
        }
      }),
    );

  group
    .command('cancel')
    .description('cancel a queued, interrupted or running job (also one another Lontar process is running)')
    .argument('<id>', 'job id', jobId)
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--no-wait', 'when another process runs the job: leave the request and return at once')
    .option('--timeout <seconds>', 'how long to wait for another process to cancel it (default 60)', integer)
    .option('--json', 'machine-readable output')
    .action((id: number, flags: { workspace?: string; wait: boolean; timeout?: number; json?: boolean }) =>
      withJobErrors(async () => {
        const dir = workspaceDir(flags.workspace);
        let ws: Workspace;
        try {
          ws = Workspace.open(dir);
        } catch (e) {
          if (!(e instanceof WorkspaceInUseError)) throw e;
          return cancelElsewhere(dir, id, flags);
        }
        try {
          const runner = new JobRunner(ws, { registry: await JobRegistry.load() });
          reportRecovered(runner.recover());
          const job = await runner.cancel(id);
          emit(Boolean(flags.json), { workspace: ws.dir, job }, () => `job ${id} cancelled`);
        } finally {
          ws.close();
        }
      }),
    );
}

/**
 * Runs jobs in this process until job `target` has ended (or, without a target, until the queue is
 * empty), with progress on stderr. Ctrl-C stops at a checkpoint; a second Ctrl-C exits at once.
 * (Also used by the transfer commands.)
 */
export async function runHere(ws: Workspace, registry: JobRegistry, flags: RunFlags, target: number | undefined, devices: string[]): Promise<JobRecord[]> {
  const runner = new JobRunner(ws, { registry, devices, ...(flags.threads && { threads: flags.threads }), ...(target && { claimUpTo: target }) });
  const ran: JobRecord[] = [];
  const unsubscribe = [showProgress(runner), runner.on('finished', (e) => ran.push(e.job))];
  let interrupts = 0;
  const onInterrupt = () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('\nstopping: checkpointing the running job (Ctrl-C again to quit at once)\n');
    void runner.close();
  };
  process.on('SIGINT', onInterrupt);
  try {
    reportRecovered(runner.start());
    if (target !== undefined) await Promise.race([runner.waitFor(target), runner.idle()]);
    else await runner.idle();
    await runner.close();
  } finally {
    process.off('SIGINT', onInterrupt);
    for (const off of unsubscribe) off();
  }
  return target === undefined ? ran : [ws.jobs.get(target)!];
}

function reportRecovered(ids: readonly number[]): void {
  for (const id of ids) process.stderr.write(`job ${id} was left running by a process that ended: marked interrupted\n`);
}

function reportEnd(flags: RunFlags, ws: Workspace, job: JobRecord): void {
  const run = job.runId == null ? undefined : ws.runs.get(job.runId);
  emit(Boolean(flags.json), { workspace: ws.dir, job, run }, () => {
    if (job.status === 'done') return `job ${job.id} done: run ${job.runId}, output blob ${run?.outputBlob ?? '-'}`;
    const hint = job.status === 'interrupted' ? `; resume with \`lontar jobs resume ${job.id} --workspace ${ws.dir}\`` : '';
    return `job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}${hint}`;
  });
  if (job.status !== 'done') throw new CliError(`job ${job.id} ended ${job.status}`, 1);
}

/** Another process owns the workspace: leave a cancel request and wait for it to take effect. */
async function cancelElsewhere(dir: string, id: number, flags: { wait: boolean; timeout?: number; json?: boolean }): Promise<void> {
  const read = () => {
    const ws = Workspace.open(dir, { readonly: true });
    try {
      const job = ws.jobs.get(id);
      if (!job) throw new CliError(`no job ${id}`, 1);
      return job;
    } finally {
      ws.close();
    }
  };
  const before = read();
  if (['done', 'failed', 'cancelled'].includes(before.status)) throw new CliError(`job ${id} is ${before.status}; nothing to cancel`, 1);
  requestCancel(dir, id);
  if (!flags.wait) {
    emit(Boolean(flags.json), { job: before, requested: true }, () => `cancel of job ${id} requested from the process that has the workspace open`);
    return;
  }
  const deadline = Date.now() + (flags.timeout ?? 60) * 1000;
  for (;;) {
    const job = read();
    if (job.status === 'cancelled') return emit(Boolean(flags.json), { job }, () => `job ${id} cancelled`);
    if (job.status === 'done' || job.status === 'failed') throw new CliError(`job ${id} ended ${job.status} before the cancel took effect`, 1);
    if (Date.now() > deadline) throw new CliError(`job ${id} is still ${job.status}; the cancel request stays for the process that has the workspace open`, 1);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Progress on stderr: a redrawn bar on a terminal, a line per tenth otherwise (logs, CI). */
function showProgress(runner: JobRunner): () => void {
  const tty = process.stderr.isTTY === true;
  const shownTenth = new Map<number, number>();
  const offs = [
    runner.on('started', (e: JobEvents['started']) =>
      process.stderr.write(`job ${e.job.id} ${e.job.kind} started (process ${e.pid}, ${e.provider})${e.resumedFromStep ? `, resuming from step ${e.resumedFromStep}` : ''}\n`),
    ),
    runner.on('progress', (e) => {
      if (tty) return void process.stderr.write(`\r${progressLine(e)}\x1b[K`);
      const tenth = Math.floor(e.fraction * 10);
      if ((shownTenth.get(e.jobId) ?? -1) < tenth) {
        shownTenth.set(e.jobId, tenth);
        process.stderr.write(`${progressLine(e)}\n`);
      }
    }),
    // what the job says about itself (data, steps, choices); a failure's stack stays one line here
    runner.on('log', (e) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}job ${e.jobId}: ${e.message.split('\n')[0]}\n`)),
    runner.on('finished', (e) => process.stderr.write(`${tty ? '\n' : ''}job ${e.job.id} ${e.job.status}\n`)),
  ];
  return () => offs.forEach((off) => off());
}

export function progressLine(e: JobProgressEvent): string {
  const width = 24;
  const filled = Math.round(e.fraction * width);
  const parts = [`job ${e.jobId} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(e.fraction * 100)}% step ${e.step}/${e.total}`];
  if (e.loss !== undefined) parts.push(`loss ${e.loss.toFixed(4)}`);
  for (const [name, value] of Object.entries(e.metrics ?? {})) parts.push(`${name} ${value.toFixed(3)}`);
  if (e.etaSeconds !== null) parts.push(`eta ${formatDuration(e.etaSeconds)}`);
  return parts.join('  ');
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

function formatJobTable(jobs: readonly JobRecord[]): string {
  if (jobs.length === 0) return 'no jobs';
  const rows = jobs.map((j) => {
    const d = j.progressDetail;
    const step = typeof d['step'] === 'number' && typeof d['total'] === 'number' ? `${d['step']}/${d['total']}` : '-';
    return [String(j.id), j.kind, j.status, j.device, `${Math.floor(j.progress * 100)}%`, step, String(j.runId ?? '-'), j.checkpointStep == null ? '-' : `step ${j.checkpointStep}`, j.updatedAt];
  });
  const header = ['id', 'kind', 'status', 'device', 'progress', 'step', 'run', 'checkpoint', 'updated'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header)];
  jobs.forEach((j, i) => {
    out.push(line(rows[i]!));
    if (j.error && j.status !== 'done') out.push(`    ${j.error.split('\n')[0]}`);
  });
  return out.join('\n');
}
