// `lontar experiment run FILE` and `lontar experiment report`: a grid of competence, discovery and
// transfer runs as resumable jobs in the workspace (run the same file again to resume after a stop
// or crash), and the paper-style tables printed and written as Markdown and CSV.
// Exit codes: 0 complete, 1 cells failed or the run stopped / input refused, 2 usage, 3 workspace unavailable.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { JobRegistry } from '../../jobs/index';
import { Workspace } from '../../store/index';
import { ExperimentFileError, readExperimentFile } from '../../transfer/experiment/experiment-file';
import { buildReport } from '../../transfer/experiment/report';
import { renderMarkdown, writeReport } from '../../transfer/experiment/render';
import { collectResults, experimentNames, UnknownExperimentError } from '../../transfer/experiment/results';
import { runExperiment } from '../../transfer/experiment/run-experiment';
import { InputError } from '../../transfer/workspace-inputs';
import { experimentProgress } from '../experiment-progress';
import { CliError, emit } from '../output';
import { WORKSPACE_HELP, withWorkspaceErrors, workspaceDir } from './workspace';

/** Input problems a user fixes (file, dataset, unknown experiment) → exit code 1 or 2. */
async function withExperimentErrors<T>(fn: () => Promise<T>): Promise<T> {
  return withWorkspaceErrors(async () => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ExperimentFileError) throw new CliError(e.message, 2);
      if (e instanceof InputError || e instanceof UnknownExperimentError) throw new CliError(e.message, 1);
      throw e;
    }
  });
}

/** Ctrl-C stops the running job at a checkpoint (resumable); a second Ctrl-C quits at once. */
export function interruptController(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  let presses = 0;
  const onInterrupt = () => {
    if (++presses > 1) process.exit(130);
    process.stderr.write('\nstopping: checkpointing the running job; run the same command again to resume (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  return { signal: controller.signal, release: () => process.off('SIGINT', onInterrupt) };
}

export function registerExperiment(program: Command): void {
  const group = program.command('experiment').description('grids of CT-SFT and baseline runs: run (resumable) and report');

  group
    .command('run')
    .description('run (or resume) the grid an experiment file describes, as jobs in the workspace')
    .argument('<file>', 'experiment file, .json or .yaml (see docs/transfer.md)')
    .option('--workspace <dir>', `${WORKSPACE_HELP}; created if absent`)
    .option('--retry-failed', 'queue failed and cancelled cells again')
    .option('--out <dir>', 'also write report.md and the CSV files here')
    .option('--json', 'print the report data as JSON')
    .action((file: string, f: { workspace?: string; retryFailed?: boolean; out?: string; json?: boolean }) =>
      withExperimentErrors(async () => {
        const spec = readExperimentFile(file);
        const ws = Workspace.open(workspaceDir(f.workspace), { create: true });
        const interrupt = interruptController();
        try {
          const outcome = await runExperiment(ws, spec, {
            registry: await JobRegistry.load(),
            retryFailed: Boolean(f.retryFailed),
            attach: experimentProgress(spec.name),
            signal: interrupt.signal,
          });
          const report = buildReport(collectResults(ws, spec.name));
          const written = f.out ? writeReport(report, resolve(f.out)) : [];
          emit(Boolean(f.json), { workspace: ws.dir, cells: outcome.cells, report }, () => `${renderMarkdown(report)}${written.length ? `\nwritten: ${written.join(', ')}` : ''}`);
          if (!outcome.complete) throw new CliError(`experiment ${spec.name} is not complete (see above); run the same command again to resume${f.retryFailed ? '' : ', with --retry-failed to rerun failed cells'}`, 1);
        } finally {
          interrupt.release();
          ws.close();
        }
      }),
    );

  group
    .command('report')
    .description('print the paper-style tables of an experiment and write them as Markdown and CSV')
    .option('--name <name>', 'the experiment (default: the only one in the workspace)')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--out <dir>', 'where report.md and the CSV files go (default: ./<name>-report)')
    .option('--json', 'print the report data as JSON')
    .action((f: { name?: string; workspace?: string; out?: string; json?: boolean }) =>
      withExperimentErrors(async () => {
        const ws = Workspace.open(workspaceDir(f.workspace), { readonly: true });
        try {
          const names = experimentNames(ws);
          const name = f.name ?? (names.length === 1 ? names[0]! : undefined);
          if (name === undefined) throw new CliError(names.length === 0 ? 'no experiments in this workspace' : `several experiments (${names.join(', ')}); choose one with --name`, 1);
          const report = buildReport(collectResults(ws, name));
          const written = writeReport(report, resolve(f.out ?? `${name}-report`));
          emit(Boolean(f.json), report, () => `${renderMarkdown(report)}\nwritten: ${written.join(', ')}`);
        } finally {
          ws.close();
        }
      }),
    );
}
