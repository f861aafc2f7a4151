// transfer.*: the transfer runs, launching competence tuning, discovery on its checkpoint, CT-SFT
// and the baselines (one job per seed and method), a run's curves, the forgetting comparison, and
// the demo pipeline of the first-run path. Launches check what the job would only find out later
// (a missing run, a language the dataset lacks, a sample larger than its pool) and answer at once.

import { availableParallelism } from 'node:os';
import type { RunRecord, Workspace } from '../../store/index';
import { storedDepth } from '../../transfer/circuit-store';
import { depthTag } from '../../transfer/depth-tag';
import { estimateLaunchFor } from '../../transfer/launch-estimate';
import { demoExperiment, demoExperimentName } from '../../transfer/demo';
import { ExperimentFileError, parseExperiment } from '../../transfer/experiment/experiment-file';
import { prepareExperiment } from '../../transfer/experiment/prepare';
import { UnknownExperimentError } from '../../transfer/experiment/results';
import { planExperiment } from '../../transfer/experiment/run-experiment';
import { MONITOR_METRIC } from '../../transfer/monitor';
import { InputError } from '../../transfer/workspace-inputs';
import { ApiError, HEAD_METHOD_NAMES, type JobDevice } from '../contract/index';
import { notFound } from '../error-mapping';
import type { HandlerContext, Handlers } from '../handler-types';
import { demoState } from '../resources';
import { experimentComparison, experimentSummaries, pipelineAnchors, pipelineComparison, transfersOf } from '../transfer-compare';
import { transferRuns } from '../transfer-views';

/** Examples the validation monitor and evaluations score per engine run. */
const EVAL_BATCH = 32;

function jobDevice(ctx: HandlerContext, asked: JobDevice): 'cpu' | 'cuda' {
  const device = asked === 'auto' ? (ctx.engine.devices.includes('cuda') ? 'cuda' : 'cpu') : asked;
  if (!ctx.engine.devices.includes(device)) throw new ApiError('unavailable', `this machine cannot run jobs on ${device}: ${ctx.engine.choice.reason}`);
  return device;
}

function requireLanguages(ws: Workspace, datasetId: number, languages: readonly string[]): void {
  const present = new Set(ws.examples.languages(datasetId));
  const missing = languages.filter((l) => !present.has(l));
  if (missing.length > 0) throw new ApiError('rejected', `the dataset has no ${missing.join(', ')} examples (it has ${[...present].join(', ') || 'none'})`);
}

/** A competence run that has not failed or been cancelled (queued and running ones are fine: jobs run in order). */
function usableRun(ws: Workspace, id: number, kind: 'competence' | 'discover'): RunRecord {
  const run = ws.runs.get(id);
  if (!run || run.kind !== kind) throw notFound(`${kind === 'competence' ? 'competence' : 'discovery'} run ${id}`);
  if (run.status === 'failed' || run.status === 'cancelled') throw new ApiError('conflict', `run ${id} (${run.name ?? kind}) ${run.status}; launch it again first`);
  return run;
}

/** Errors the experiment code raises about its input are refusals, not internal errors. */
function refusedInput<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((e: unknown) => {
    if (e instanceof InputError || e instanceof ExperimentFileError) throw new ApiError('rejected', e.message);
    if (e instanceof UnknownExperimentError) throw new ApiError('not-found', e.message);
    throw e;
  });
}

export const transferHandlers: Handlers = {
  'transfer.runs': (ctx, req) => ({ runs: transferRuns(ctx.ws, req.kinds) }),

  'transfer.launchCompetence': (ctx, req) => {
    const model = ctx.ws.models.get(req.modelId);
    if (!model) throw notFound(`model ${req.modelId}`);
    const dataset = ctx.ws.datasets.get(req.datasetId);
    if (!dataset) throw notFound(`dataset ${req.datasetId}`);
    requireLanguages(ctx.ws, dataset.id, [req.source, ...req.targets]);
    if (req.nSrc > req.pools.discovery) throw new ApiError('rejected', `nSrc (${req.nSrc}) is larger than the discovery pool it is drawn from (${req.pools.discovery})`);
    const device = jobDevice(ctx, req.device);
    const targets = req.targets.filter((t) => t !== req.source);
    const evaluate = [{ language: req.source, split: 'test' }, { language: req.source, split: 'valid' }, ...targets.map((language) => ({ language, split: 'test' }))];
    const base = req.name ?? `competence ${req.source} on ${model.name}`;
    const jobs = req.seeds.map((seed) =>
      ctx.runner.enqueue({
        kind: 'competence',
        name: req.seeds.length > 1 ? `${base} (seed ${seed})` : base,
        modelId: model.id,
        datasetId: dataset.id,
        seed,
        device,
        config: { modelId: model.id, datasetId: dataset.id, source: req.source, nSrc: req.nSrc, pools: req.pools, recipe: req.recipe, evaluate, evalBatch: EVAL_BATCH, monitor: req.monitor },
      }),
    );
    return { jobIds: jobs.map((j) => j.id), runIds: jobs.map((j) => j.runId!) };
  },

  'transfer.discover': (ctx, req) => {
    const anchor = usableRun(ctx.ws, req.competenceRunId, 'competence');
    const { device: asked, ...settings } = req;
    const job = ctx.runner.enqueue({
      kind: 'discover',
      name: `circuit of ${anchor.name ?? `run ${anchor.id}`}`,
      seed: anchor.seed,
      device: jobDevice(ctx, asked),
      parentRunId: anchor.id,
      ...(anchor.modelId !== null && { modelId: anchor.modelId }),
      ...(anchor.datasetId !== null && { datasetId: anchor.datasetId }),
      config: settings,
    });
    return { jobId: job.id, runId: job.runId! };
  },

  'transfer.estimate': (ctx, req) => {
    const modelId = req.modelId ?? usableRun(ctx.ws, req.competenceRunId!, 'competence').modelId;
    const model = modelId === null ? undefined : ctx.ws.models.get(modelId);
    if (!model) throw notFound(`model ${modelId ?? ''}`.trim());
    const { batchSize, microBatch, maxLength, epochs } = req.recipe;
    const e = estimateLaunchFor(model.sourcePath, { methods: req.methods, kv: req.kv, examples: req.examples, recipe: { batchSize, microBatch, maxLength, epochs }, threads: availableParallelism() });
    return { method: e.method, peakBytes: e.footprint.peakBytes, availableBytes: e.availableBytes, fits: e.fits, proposedMicroBatch: e.proposedMicroBatch ?? null, seconds: e.footprint.seconds, flopsPerSecond: e.footprint.flopsPerSecond };
  },

  'transfer.launch': (ctx, req) => {
    const anchor = usableRun(ctx.ws, req.competenceRunId, 'competence');
    const needsCircuit = req.methods.some((m) => HEAD_METHOD_NAMES.includes(m));
    // The name says the depth the circuit has (a finished discovery may have stopped below the asked one).
    let depth = depthTag(req.depth, []);
    if (needsCircuit) {
      const discovery = usableRun(ctx.ws, req.discoveryRunId!, 'discover');
      if (discovery.config['competenceRunId'] !== anchor.id) throw new ApiError('rejected', `discovery run ${discovery.id} was not run on competence run ${anchor.id}`);
      const reached = discovery.status === 'done' ? storedDepth(ctx.ws, discovery.id) : null;
      if (reached !== null) depth = depthTag(req.depth, [Math.min(req.depth, reached)]);
    }
    if (anchor.datasetId !== null) requireLanguages(ctx.ws, anchor.datasetId, [req.target]);
    const tuning = (anchor.config['pools'] as { tuning?: number } | undefined)?.tuning ?? 100;
    if (req.n > tuning) throw new ApiError('rejected', `n (${req.n}) is larger than the tuning pool it is drawn from (${tuning})`);
    const device = jobDevice(ctx, req.device);
    const source = String(anchor.config['source']);
    const jobs = req.methods.flatMap((method) => {
      const head = HEAD_METHOD_NAMES.includes(method);
      return req.seeds.map((seed) =>
        ctx.runner.enqueue({
          kind: 'transfer',
          name: `${method}${head ? ` ${depth}` : ''} ${source}→${req.target} n=${req.n} seed ${seed}`,
          seed,
          device,
          parentRunId: head ? req.discoveryRunId! : anchor.id,
          ...(anchor.modelId !== null && { modelId: anchor.modelId }),
          ...(anchor.datasetId !== null && { datasetId: anchor.datasetId }),
          config: {
            competenceRunId: anchor.id,
            discoveryRunId: head ? req.discoveryRunId : null,
            method,
            target: req.target,
            n: req.n,
            depth: req.depth,
            kv: req.kv,
            recipe: req.recipe,
            evalBatch: EVAL_BATCH,
            monitor: req.monitor,
          },
        }),
      );
    });
    return { jobIds: jobs.map((j) => j.id), runIds: jobs.map((j) => j.runId!) };
  },

  'transfer.series': (ctx, req) => {
    const run = ctx.ws.runs.get(req.runId);
    if (!run) throw notFound(`run ${req.runId}`);
    return { runId: run.id, status: run.status, loss: ctx.ws.metrics.series(run.id, 'loss'), valAccuracy: ctx.ws.metrics.series(run.id, MONITOR_METRIC) };
  },

  'transfer.comparisons': (ctx) => ({
    experiments: experimentSummaries(ctx.ws),
    pipelines: pipelineAnchors(ctx.ws).map((anchor) => {
      const transfers = transfersOf(ctx.ws, anchor.id);
      return {
        competenceRunId: anchor.id,
        name: anchor.name ?? `competence run ${anchor.id}`,
        source: String(anchor.config['source']),
        transfers: transfers.length,
        done: transfers.filter((r) => r.status === 'done').length,
      };
    }),
  }),

  'transfer.compare': (ctx, req) =>
    refusedInput(async () => {
      if (req.experiment !== undefined) return experimentComparison(ctx.ws, req.experiment);
      const anchor = ctx.ws.runs.get(req.competenceRunId!);
      if (!anchor || anchor.kind !== 'competence') throw notFound(`competence run ${req.competenceRunId}`);
      return pipelineComparison(ctx.ws, anchor);
    }),

  'transfer.runDemo': (ctx, req) =>
    refusedInput(async () => {
      const demo = demoState(ctx.ws, ctx.resources, ctx.demoModelProblem);
      if (demo.modelId === null) throw new ApiError('unavailable', demo.modelProblem ?? 'the demo model is not available');
      if (demo.datasetPath === null) throw new ApiError('unavailable', 'the demo data is not installed with this copy of Lontar');
      const device = jobDevice(ctx, req.device);
      const name = demoExperimentName(ctx.ws, false);
      // Monitored, so the Transfer view draws its curves; monitoring changes no result.
      const raw = { ...demoExperiment(name), model: ctx.resources.demoModelDir, data: ctx.resources.demoDatasetDir, monitor: { examples: 64, everySteps: 0 } };
      const prepared = await prepareExperiment(ctx.ws, parseExperiment(raw, ctx.resources.root, 'demo'), { modelId: demo.modelId });
      // Cancelled or failed cells are queued afresh: pressing the button again means "run it".
      const plan = planExperiment(ctx.ws, ctx.runner, prepared, true, device);
      return {
        experiment: name,
        jobIds: plan.filter((p) => p.state !== 'done' && p.jobId !== undefined).map((p) => p.jobId!),
        complete: plan.every((p) => p.state === 'done'),
      };
    }),
};
