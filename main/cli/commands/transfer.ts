// `lontar competence`, `lontar transfer`, `lontar evaluate`: one pipeline stage each, run as a job in
// the workspace (progress on stderr; Ctrl-C stops it at a checkpoint, resumable with
// `lontar jobs resume`), stored with its evaluations and every prediction.
// Exit codes: 0 done, 1 the job did not finish or the input was refused, 2 usage, 3 workspace unavailable.

import { InvalidArgumentError, type Command } from 'commander';
import { JobConfigError, JobRegistry, JobRunner } from '../../jobs/index';
import { Workspace, type JobRecord, type JsonObject, type RunRecord } from '../../store/index';
import { discoveryConfig } from '../../transfer/job-configs';
import { isHeadMethod, METHODS, type TransferMethod } from '../../transfer/methods';
import { finishedPipeline, registerModel } from '../../transfer/run-models';
import { InputError, obtainDataset } from '../../transfer/workspace-inputs';
import { announceEstimate } from '../launch-check';
import { CliError, emit } from '../output';
import { addRecipeOptions, anyInt, positiveInt, recipeFromFlags, type RecipeFlags } from '../recipe-options';
import { runHere } from './jobs';
import { WORKSPACE_HELP, withWorkspaceErrors, workspaceDir } from './workspace';

const splitTargets = (v: string) =>
  v.split(',').map((item) => {
    const [language, split = 'test'] = item.trim().split(':');
    if (!language || !['train', 'valid', 'test'].includes(split)) throw new InvalidArgumentError('language:split pairs, e.g. jav:test,jav:valid');
    return { language, split: split as 'train' | 'valid' | 'test' };
  });
const method = (v: string): TransferMethod => {
  if (!(METHODS as readonly string[]).includes(v)) throw new InvalidArgumentError(`one of ${METHODS.join(', ')}`);
  return v as TransferMethod;
};
const fraction = (v: string): number => {
  const n = Number(v);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('a fraction in (0, 1]');
  return n;
};

interface CommonFlags {
  workspace?: string;
  threads?: number;
  json?: boolean;
}

/**
 * Queues jobs (`enqueue` returns the one that matters), runs them here, and prints that run's
 * evaluations (or those of `shown`, the run an evaluation job scored).
 */
async function runJobs(ws: Workspace, flags: CommonFlags, enqueue: (queue: JobRunner) => JobRecord, shown?: { runId: number; language: string; split: string }): Promise<void> {
  const registry = await JobRegistry.load();
  let last: JobRecord;
  try {
    last = enqueue(new JobRunner(ws, { registry }));
  } catch (e) {
    if (e instanceof JobConfigError) throw new CliError(e.message, 2);
    throw e;
  }
  const [job] = await runHere(ws, registry, flags, last.id, [last.device]);
  const run = ws.runs.get(shown?.runId ?? job!.runId!)!;
  const evaluations = ws.evaluations.byRun(run.id).filter((e) => !shown || (e.language === shown.language && e.split === shown.split));
  emit(Boolean(flags.json), { workspace: ws.dir, job, run, evaluations }, () => describeRun(run, evaluations));
  if (job!.status !== 'done') throw new CliError(`job ${job!.id} ended ${job!.status}${job!.error ? `: ${job!.error}` : ''}`, 1);
}

function describeRun(run: RunRecord, evaluations: ReturnType<Workspace['evaluations']['byRun']>): string {
  const lines = [`run ${run.id} (${run.kind}${run.name ? `, ${run.name}` : ''}): ${run.status}`];
  for (const e of evaluations) {
    lines.push(`  ${e.language} ${e.split}: accuracy ${(e.accuracy ?? NaN).toFixed(3)}, macro-F1 ${(e.macroF1 ?? NaN).toFixed(3)} (${e.count} examples)`);
  }
  const extra = evaluations[0]?.extra ?? {};
  if (typeof extra['trainableFraction'] === 'number') {
    const seconds = typeof extra['trainSeconds'] === 'number' ? `, training ${(extra['trainSeconds'] as number).toFixed(1)} s` : '';
    lines.push(`  trainable: ${extra['trainable']} of ${extra['totalParameters']} parameters (${(100 * (extra['trainableFraction'] as number)).toFixed(3)}%)${seconds}`);
  }
  return lines.join('\n');
}

/** Opens the workspace for writing (created if absent) and turns input errors into exit code 1. */
async function withWorkspace(dir: string | undefined, fn: (ws: Workspace) => Promise<void>): Promise<void> {
  await withWorkspaceErrors(async () => {
    const ws = Workspace.open(workspaceDir(dir), { create: true });
    try {
      await fn(ws);
    } catch (e) {
      if (e instanceof InputError) throw new CliError(e.message, 1);
      throw e;
    } finally {
      ws.close();
    }
  });
}

export function registerTransfer(program: Command): void {
  addRecipeOptions(
    program
      .command('competence')
      .description('stage 1: full fine-tuning of a base model on n_src source-language examples (Pool A), stored in the workspace')
      .requiredOption('--model <dir>', 'base model folder')
      .option('--data <path>', 'dataset to import (NusaX/XNLI folder or file) unless the workspace has it')
      .option('--dataset <name>', 'a dataset already in the workspace')
      .requiredOption('--source <language>', 'proxy language, e.g. ind')
      .option('--n-src <n>', 'stage-1 examples (default 50)', positiveInt)
      .option('--seed <n>', 'seed of the run and its pool partition (default 31)', anyInt)
      .option('--pools <discovery,tuning>', 'pool sizes per language (default 400,100)')
      .option('--template <template>', 'prompt template (decoders)')
      .option('--labels <list>', 'labels in order, comma-separated (name or name=word)')
      .option('--evaluate <language:split,...>', 'also score these splits (e.g. jav:test for A0)', splitTargets),
  )
    .option('--workspace <dir>', `${WORKSPACE_HELP}; created if absent`)
    .option('--threads <n>', 'engine threads of the job (default: all cores)', positiveInt)
    .option('--json', 'machine-readable output')
    .action((f: CommonFlags & RecipeFlags & { model: string; data?: string; dataset?: string; source: string; nSrc?: number; seed?: number; pools?: string; template?: string; labels?: string; evaluate?: { language: string; split: string }[] }) =>
      withWorkspace(f.workspace, async (ws) => {
        const dataset = obtainDataset(ws, f, [f.source, ...(f.evaluate ?? []).map((t) => t.language)]);
        const model = registerModel(ws, f.model);
        const pools = f.pools?.split(',').map(Number);
        const config: JsonObject = {
          modelId: model.id,
          datasetId: dataset.id,
          source: f.source,
          ...(f.nSrc !== undefined && { nSrc: f.nSrc }),
          ...(pools && { pools: { discovery: pools[0], tuning: pools[1] } }),
          task: { ...(f.template && { template: f.template }), ...(f.labels && { labels: f.labels.split(',') }) },
          recipe: recipeFromFlags(f),
          ...(f.evaluate && { evaluate: [{ language: f.source, split: 'test' }, { language: f.source, split: 'valid' }, ...f.evaluate] }),
        };
        announceEstimate(ws, model.id, ['full'], f.nSrc ?? 50, recipeFromFlags(f), f.threads);
        await runJobs(ws, f, (queue) =>
          queue.enqueue({ kind: 'competence', config, seed: f.seed ?? 31, modelId: model.id, datasetId: dataset.id, checkpointEvery: 0, ...(f.threads && { threads: f.threads }) }),
        );
      }),
    );

  addRecipeOptions(
    program
      .command('transfer')
      .description('stage 2: CT-SFT (circuit) or a baseline from a competence run on n target examples (Pool B)')
      .requiredOption('--competence <run>', 'the competence run to start from', positiveInt)
      .requiredOption('--method <method>', METHODS.join(' | '), method)
      .requiredOption('--target <language>', 'target language, e.g. jav')
      .requiredOption('--n <n>', 'target examples from Pool B (paper: 25, 50, 75, 100)', positiveInt)
      .option('--depth <d>', 'circuit depth for head methods (default 2)', anyInt)
      .option('--kv <mode>', 'GQA key/value rows: group (the paper\'s budget) or freeze (Q and O only)', 'group')
      .option('--discovery <run>', 'the circuit to use (default: the latest discovery on the competence run, else one is run first)', positiveInt)
      .option('--p <fraction>', 'selection ratio when a discovery has to run first (default 0.02)', fraction)
      .option('--seed <n>', 'seed of the tuning sample and data order (default 31)', anyInt),
  )
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--threads <n>', 'engine threads of the job (default: all cores)', positiveInt)
    .option('--json', 'machine-readable output')
    .action((f: CommonFlags & RecipeFlags & { competence: number; method: TransferMethod; target: string; n: number; depth?: number; kv: string; discovery?: number; p?: number; seed?: number }) =>
      withWorkspace(f.workspace, async (ws) => {
        const anchor = finishedPipeline(ws, f.competence, 'transfer');
        try {
          obtainDataset(ws, { dataset: String(anchor.config.datasetId) }, [anchor.config.source, f.target]);
        } catch (e) {
          // the competence stage imports only the languages it was given
          if (e instanceof InputError) throw new InputError(`${e.message}; run \`lontar competence\` with \`--evaluate ${f.target}:test\` (the target's A0), which imports the target too`);
          throw e;
        }
        const depth = f.depth ?? 2;
        const seed = f.seed ?? 31;
        const common = { seed, parentRunId: f.competence, modelId: anchor.config.modelId, datasetId: anchor.config.datasetId, checkpointEvery: 0, ...(f.threads && { threads: f.threads }) };
        const transfer = { competenceRunId: f.competence, method: f.method, target: f.target, n: f.n, depth, kv: f.kv, recipe: recipeFromFlags(f) };
        if (typeof anchor.config.modelId === 'number') announceEstimate(ws, anchor.config.modelId, [f.method], f.n, transfer.recipe, f.threads);
        await runJobs(ws, f, (queue) => {
          let discoveryRunId = f.discovery ?? (isHeadMethod(f.method) ? latestDiscovery(ws, f.competence, depth, f.p) : null);
          if (isHeadMethod(f.method) && discoveryRunId === null) {
            // No circuit yet: discovery runs first (FIFO), and the transfer reads its run.
            discoveryRunId = queue.enqueue({ kind: 'discover', config: { competenceRunId: f.competence, depth, ...(f.p && { selectionRatio: f.p }) }, ...common }).runId;
          }
          return queue.enqueue({ kind: 'transfer', config: { ...transfer, discoveryRunId }, ...common });
        });
      }),
    );

  program
    .command('evaluate')
    .description('score a run\'s checkpoint (or a model folder) on dataset splits, storing every prediction')
    .option('--run <run>', 'a competence or transfer run', positiveInt)
    .option('--model <dir>', 'or a model folder as it is')
    .option('--data <path>', 'dataset to import unless the workspace has it')
    .option('--dataset <name>', 'a dataset already in the workspace (default: the run\'s)')
    .requiredOption('--language <code>', 'language to score, e.g. jav')
    .option('--split <split>', 'train, valid or test (default test)', 'test')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--threads <n>', 'engine threads of the job (default: all cores)', positiveInt)
    .option('--json', 'machine-readable output')
    .action((f: CommonFlags & { run?: number; model?: string; data?: string; dataset?: string; language: string; split: string }) =>
      withWorkspace(f.workspace, async (ws) => {
        if ((f.run === undefined) === (f.model === undefined)) throw new CliError('give --run or --model (one of them)');
        if (f.run !== undefined && !ws.runs.get(f.run)) throw new CliError(`no run ${f.run} in the workspace`, 1);
        if (!['train', 'valid', 'test'].includes(f.split)) throw new CliError('--split must be train, valid or test');
        const runDataset = f.run !== undefined && f.data === undefined && f.dataset === undefined ? ws.runs.get(f.run)?.datasetId : undefined;
        const dataset = obtainDataset(ws, runDataset ? { dataset: String(runDataset) } : f, [f.language]);
        const modelId = f.model !== undefined ? registerModel(ws, f.model).id : undefined;
        const config = { runId: f.run ?? null, modelId: modelId ?? null, datasetId: dataset.id, targets: [{ language: f.language, split: f.split }] };
        await runJobs(
          ws,
          f,
          (queue) => queue.enqueue({ kind: 'evaluate', config, seed: 0, datasetId: dataset.id, ...(modelId && { modelId }), ...(f.run && { parentRunId: f.run }), ...(f.threads && { threads: f.threads }) }),
          f.run !== undefined ? { runId: f.run, language: f.language, split: f.split } : undefined,
        );
      }),
    );
}

/** The newest finished discovery on a competence run with at least `depth` iterations' budget. */
function latestDiscovery(ws: Workspace, competenceRunId: number, depth: number, ratio: number | undefined): number | null {
  const found = ws.runs
    .list({ kind: 'discover', status: 'done' })
    .filter((r) => {
      const c = discoveryConfig.safeParse(r.config);
      return c.success && c.data.competenceRunId === competenceRunId && c.data.depth >= depth && (ratio === undefined || c.data.selectionRatio === ratio);
    })
    .at(-1);
  return found?.id ?? null;
}
