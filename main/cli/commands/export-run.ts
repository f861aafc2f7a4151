// `lontar export RUN --format hf|onnx|patch --out DIR` and `lontar export verify ID`: a trained run
// of the workspace exported (model card, SHA256SUMS, recorded in the exports table) and an export
// verified (checksums, then the stored predictions reproduced), each run here as a job.
// Exit codes: 0 done (and, for verify, passed); 1 refused input, a failed job or a failed verification;
// 2 usage; 3 workspace unavailable.

import { isAbsolute, resolve } from 'node:path';
import { checkDestination, DestinationError } from '../../exports/destination';
import type { ExportKind } from '../../exports/export-run';
import { runSource, evaluationToReproduce } from '../../exports/run-source';
import { JobConfigError, JobRegistry, JobRunner } from '../../jobs/index';
import { Workspace, type ExportRecord, type JobRecord } from '../../store/index';
import { InputError } from '../../transfer/workspace-inputs';
import { CliError, emit } from '../output';
import { runHere } from './jobs';
import { withWorkspaceErrors, workspaceDir } from './workspace';

export interface RunExportFlags {
  format: ExportKind;
  out: string;
  replace?: boolean;
  dtype: 'F32' | 'BF16' | 'F16';
  batch: number;
  seq?: number;
  evaluation?: number;
  verify?: boolean;
  workspace?: string;
  threads?: number;
  json?: boolean;
}

async function withWorkspace<T>(dir: string | undefined, fn: (ws: Workspace) => Promise<T>): Promise<T> {
  return withWorkspaceErrors(async () => {
    const ws = Workspace.open(workspaceDir(dir));
    try {
      return await fn(ws);
    } catch (e) {
      if (e instanceof InputError || e instanceof DestinationError) throw new CliError(e.message, 1);
      throw e;
    } finally {
      ws.close();
    }
  });
}

async function runJob(ws: Workspace, flags: { threads?: number; json?: boolean }, kind: string, config: Record<string, unknown>, name: string): Promise<JobRecord> {
  const registry = await JobRegistry.load();
  let job: JobRecord;
  try {
    job = new JobRunner(ws, { registry }).enqueue({ kind, config: config as never, name, ...(flags.threads && { threads: flags.threads }) });
  } catch (e) {
    if (e instanceof JobConfigError) throw new CliError(e.message, 2);
    throw e;
  }
  const [done] = await runHere(ws, registry, flags, job.id, [job.device]);
  if (done!.status !== 'done') throw new CliError(`job ${done!.id} ended ${done!.status}${done!.error ? `: ${done!.error}` : ''}`, 1);
  return done!;
}

function describe(record: ExportRecord): string {
  const files = Object.keys((record.details['files'] as Record<string, string>) ?? {});
  const lines = [`export ${record.id}: run ${record.runId} as ${record.format} → ${record.destination}`, `  files: ${files.join(', ')}, SHA256SUMS`];
  const v = record.verification;
  if (v) lines.push(`  verification: ${v['ok'] ? 'passed' : 'FAILED'}: ${String(v['message'])}`);
  return lines.join('\n');
}

async function verify(ws: Workspace, flags: { threads?: number; json?: boolean }, exportId: number): Promise<ExportRecord> {
  if (!ws.exports.get(exportId)) throw new InputError(`no export ${exportId} in the workspace`);
  await runJob(ws, flags, 'verify-export', { exportId }, `verify export ${exportId}`);
  return ws.exports.get(exportId)!;
}

export async function runExportCommand(runId: number, flags: RunExportFlags): Promise<void> {
  await withWorkspace(flags.workspace, async (ws) => {
    const out = isAbsolute(flags.out) ? flags.out : resolve(flags.out); // an absolute path is checked as typed (`..` refused)
    checkDestination(out, { workspaceDir: ws.dir, replace: flags.replace }); // refused before any job is queued
    evaluationToReproduce(runSource(ws, runId), flags.evaluation);
    const config = {
      runId,
      format: flags.format,
      destination: out,
      replace: Boolean(flags.replace),
      dtype: flags.dtype,
      batch: flags.batch,
      ...(flags.seq !== undefined && { seq: flags.seq }),
      ...(flags.evaluation !== undefined && { evaluationId: flags.evaluation }),
    };
    const job = await runJob(ws, flags, 'export-run', config, `export run ${runId} as ${flags.format}`);
    const summary = ws.jobs.get(job.id)!.progressDetail['summary'] as { exportId?: number } | undefined;
    const exportId = summary?.exportId;
    if (exportId === undefined || !ws.exports.get(exportId)) throw new CliError(`the export job ${job.id} finished but recorded no export`, 1);
    let record = ws.exports.get(exportId)!;
    if (flags.verify) record = await verify(ws, flags, exportId);
    emit(Boolean(flags.json), { export: record }, () => describe(record));
    if (record.verification && record.verification['ok'] !== true) throw new CliError(`export ${exportId} did not pass verification`, 1);
  });
}

export async function verifyExportCommand(exportId: number, flags: { workspace?: string; threads?: number; json?: boolean }): Promise<void> {
  await withWorkspace(flags.workspace, async (ws) => {
    const record = await verify(ws, flags, exportId);
    emit(Boolean(flags.json), { export: record }, () => describe(record));
    if (record.verification?.['ok'] !== true) throw new CliError(`export ${exportId} did not pass verification`, 1);
  });
}
