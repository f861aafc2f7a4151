// Runs an experiment as jobs in the workspace, resumably. Every cell becomes one queued job (in grid
// order, so the FIFO queue runs competence before discovery before transfer), named by its cell.
// Running the same experiment again finds each cell's run by name: done cells are kept, queued ones
// stay queued, interrupted ones (a stop, a crash, a SIGKILL of this process) resume from their last
// checkpoint, failed or cancelled ones are reported (or queued afresh with retryFailed), and cells
// that depend on a failed one are left out.

import { JobRunner, type JobRegistry, type JobRunnerOptions } from '../../jobs/index';
import type { JobRecord, RunRecord, Workspace } from '../../store/index';
import { experimentCells, type Cell } from './cells';
import type { ExperimentSpec } from './experiment-file';
import { prepareExperiment, type PreparedExperiment } from './prepare';

export type CellState = 'done' | 'queued' | 'resumed' | 'enqueued' | 'failed' | 'cancelled' | 'blocked';

export interface PlannedCell {
  cell: Cell;
  runName: string;
  state: CellState;
  runId?: number;
  jobId?: number;
}

export interface ExperimentRunOptions {
  registry: JobRegistry;
  /** Queue failed and cancelled cells again (as new runs of the same name). */
  retryFailed?: boolean;
  /** Extra runner settings (tests pass their own spawn). */
  runner?: Partial<JobRunnerOptions>;
  /** Called with the runner before it starts (progress display); returns an unsubscriber. */
  attach?: (runner: JobRunner, plan: readonly PlannedCell[]) => () => void;
  /** Aborting stops the running job at a checkpoint (it ends interrupted, resumable). */
  signal?: AbortSignal;
}

export interface ExperimentOutcome {
  prepared: PreparedExperiment;
  plan: PlannedCell[];
  /** Each cell's run as it ended. */
  cells: { key: string; runId: number | null; status: string }[];
  complete: boolean;
}

export const runNameOf = (experiment: string, key: string) => `${experiment}/${key}`;

/** Latest run of each name under the experiment. */
function runsByName(ws: Workspace, experiment: string): Map<string, RunRecord> {
  const out = new Map<string, RunRecord>();
  for (const r of ws.runs.list()) if (r.name?.startsWith(`${experiment}/`)) out.set(r.name, r);
  return out;
}

function jobOf(ws: Workspace, runId: number): JobRecord | undefined {
  return ws.jobs.list().findLast((j) => j.runId === runId);
}

/** Decides, cell by cell, what to do, and queues what must run (resumes, new runs) on `device`. */
export function planExperiment(ws: Workspace, runner: JobRunner, prepared: PreparedExperiment, retryFailed: boolean, device?: 'cpu' | 'cuda'): PlannedCell[] {
  const { spec } = prepared;
  const cells = experimentCells(spec, prepared.dataset.id, prepared.modelId);
  const existing = runsByName(ws, spec.name);
  const planned = new Map<string, PlannedCell>();
  for (const cell of cells) {
    const runName = runNameOf(spec.name, cell.key);
    const run = existing.get(runName);
    const blockedBy = cell.needs.find((k) => ['failed', 'cancelled', 'blocked'].includes(planned.get(k)!.state));
    if (run && run.status === 'done') {
      planned.set(cell.key, { cell, runName, state: 'done', runId: run.id });
      continue;
    }
    if (run && (run.status === 'pending' || run.status === 'interrupted')) {
      const job = jobOf(ws, run.id);
      if (job?.status === 'interrupted') runner.resume(job.id);
      planned.set(cell.key, { cell, runName, state: job?.status === 'interrupted' ? 'resumed' : 'queued', runId: run.id, ...(job && { jobId: job.id }) });
      continue;
    }
    if (run && !retryFailed) {
      planned.set(cell.key, { cell, runName, state: run.status === 'cancelled' ? 'cancelled' : 'failed', runId: run.id });
      continue;
    }
    if (blockedBy) {
      planned.set(cell.key, { cell, runName, state: 'blocked' });
      continue;
    }
    const runOf = (key: string) => planned.get(key)!.runId!;
    const job = runner.enqueue({
      kind: cell.kind,
      config: cell.config(runOf),
      seed: cell.seed,
      name: runName,
      modelId: prepared.modelId,
      datasetId: prepared.dataset.id,
      parentRunId: cell.needs.length > 0 ? runOf(cell.needs.at(-1)!) : prepared.run.id,
      checkpointEvery: spec.checkpointEvery,
      threads: spec.threads,
      ...(device && { device }),
    });
    planned.set(cell.key, { cell, runName, state: 'enqueued', runId: job.runId!, jobId: job.id });
  }
  return [...planned.values()];
}

export async function runExperiment(ws: Workspace, spec: ExperimentSpec, options: ExperimentRunOptions): Promise<ExperimentOutcome> {
  const prepared = await prepareExperiment(ws, spec);
  const setup = new JobRunner(ws, { registry: options.registry });
  setup.recover(); // holding the writer lock proves a 'running' job was left by a process that died
  markRunning(ws, prepared.run);
  const plan = planExperiment(ws, setup, prepared, Boolean(options.retryFailed));
  const lastJob = Math.max(0, ...plan.map((p) => p.jobId ?? 0));

  const runner = new JobRunner(ws, { registry: options.registry, threads: spec.threads, claimUpTo: lastJob, ...options.runner });
  const detach = options.attach?.(runner, plan);
  const stop = () => void runner.close();
  options.signal?.addEventListener('abort', stop);
  try {
    runner.start();
    await runner.idle();
    await runner.close();
  } finally {
    options.signal?.removeEventListener('abort', stop);
    detach?.();
  }
  const cells = plan.map((p) => ({ key: p.cell.key, runId: p.runId ?? null, status: p.runId ? ws.runs.get(p.runId)!.status : p.state }));
  const complete = cells.every((c) => c.status === 'done');
  if (ws.runs.get(prepared.run.id)!.status === 'running') ws.runs.finish(prepared.run.id, complete ? 'done' : 'interrupted');
  return { prepared, plan, cells, complete };
}

/** The experiment's own run becomes running (a run left running by a killed owner is interrupted first). */
function markRunning(ws: Workspace, run: RunRecord): void {
  const current = ws.runs.get(run.id)!;
  if (current.status === 'done') return;
  if (current.status === 'running') ws.runs.finish(run.id, 'interrupted', { error: 'the process running the experiment ended' });
  ws.runs.start(run.id);
}
