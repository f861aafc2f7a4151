// `lontar demo` (`npm run demo`): the whole CT-SFT pipeline on the bundled demo model and NusaX data,
// as an experiment in the workspace — competence tuning on Indonesian, circuit discovery, CT-SFT and
// continued full fine-tuning to Javanese, Indonesian forgetting — with progress, then the comparison
// table. Running it again reuses the finished runs (use --fresh for new ones).

import type { Command } from 'commander';
import { JobRegistry } from '../../jobs/index';
import { Workspace } from '../../store/index';
import { demoExperiment, demoExperimentName } from '../../transfer/demo';
import { demoSummary } from '../../transfer/demo-summary';
import { parseExperiment } from '../../transfer/experiment/experiment-file';
import { collectResults } from '../../transfer/experiment/results';
import { runExperiment } from '../../transfer/experiment/run-experiment';
import { describeRecipe } from '../../transfer/recipe';
import { experimentProgress } from '../experiment-progress';
import { CliError, emit } from '../output';
import { positiveInt } from '../recipe-options';
import { interruptController } from './experiment';
import { WORKSPACE_HELP, withWorkspaceErrors, workspaceDir } from './workspace';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole CT-SFT pipeline on the bundled demo model and NusaX data (Indonesian → Javanese), with the comparison table')
    .option('--workspace <dir>', `${WORKSPACE_HELP}; created if absent`)
    .option('--threads <n>', 'engine threads per job (default 2)', positiveInt)
    .option('--fresh', 'run everything again under a new experiment name instead of reusing a finished demo')
    .option('--json', 'print the results as JSON')
    .action((f: { workspace?: string; threads?: number; fresh?: boolean; json?: boolean }) =>
      withWorkspaceErrors(async () => {
        const threads = f.threads ?? 2;
        const ws = Workspace.open(workspaceDir(f.workspace), { create: true });
        const interrupt = interruptController();
        const t0 = performance.now();
        try {
          const name = demoExperimentName(ws, Boolean(f.fresh));
          const spec = parseExperiment(demoExperiment(name, threads), '/');
          process.stderr.write(
            `Lontar demo (${name}) in workspace ${ws.dir}\n` +
              `  1. competence: full fine-tuning on ${spec.nSrc} Indonesian examples (${describeRecipe(spec.competenceRecipe!)})\n` +
              `  2. discovery: CD-T circuit of the Indonesian checkpoint (expansion asked up to depth ${spec.depth.join(', ')})\n` +
              `  3. transfer to Javanese with n = ${spec.n.join(', ')}: CT-SFT, its NearZero control and continued full fine-tuning (${describeRecipe(spec.recipe)})\n` +
              `  4. evaluation: Javanese accuracy, and Indonesian accuracy after tuning (forgetting)\n\n`,
          );
          const outcome = await runExperiment(ws, spec, { registry: await JobRegistry.load(), attach: experimentProgress(name), signal: interrupt.signal });
          const results = collectResults(ws, name);
          const { table, report, lines } = demoSummary(results, 'jav', spec.n[0]!);
          const reused = outcome.plan.every((p) => p.state === 'done');
          const took = reused ? 'Every run was already done in this workspace (--fresh trains them again).' : `Finished in ${((performance.now() - t0) / 1000).toFixed(0)} s.`;
          emit(Boolean(f.json), { workspace: ws.dir, experiment: name, table, report }, () =>
            [
              ...lines,
              `${took} Runs, metrics and predictions are in the workspace;`,
              `full tables: lontar experiment report --name ${name} --workspace ${ws.dir}`,
            ].join('\n'),
          );
          if (!outcome.complete) throw new CliError('the demo did not finish (see above); run it again to resume', 1);
        } finally {
          interrupt.release();
          ws.close();
        }
      }),
    );
}
