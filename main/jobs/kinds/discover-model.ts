// `discover-model`: CD-T circuit discovery (runDiscovery, docs/circuits.md) on a registered model as
// it is — the demo model, an imported checkpoint — and one language of a workspace dataset; the
// Circuits view launches it. (`discover` in main/transfer/ discovers on a competence run's
// checkpoint instead.) The pool is Pool A of the language's training split (the paper's 400/100,
// seeded and recorded as a pool split) or the whole split when it is smaller; faithfulness uses the
// validation split. Stored like `discover` stores its circuits: the circuit file as the run's
// output blob and one circuits row per depth with every head score (main/transfer/circuit-store.ts).

import { z } from 'zod';
import { DEFAULT_DISCOVERY, runDiscovery } from '../../circuits/run-discovery';
import { signCleanupSetting } from '../../circuits/circuit-file';
import { PAPER_POOL_SIZES, splitPools } from '../../data/index';
import type { ClassificationExample } from '../../models/classification/batch-encoder';
import { resolveTask } from '../../models/classification/task';
import { loadModel } from '../../models/load';
import type { ExampleRecord } from '../../store/index';
import { CIRCUIT_MEDIA_TYPE, circuitRows } from '../../transfer/circuit-store';
import { defineJobKind, JobCancelledError, JobStoppedError, type JobContext } from '../types';

const positive = z.number().int().min(1);

/** Any setting left out takes `lontar discover`'s default (DEFAULT_DISCOVERY). */
export const discoverConfig = z.strictObject({
  modelId: positive,
  datasetId: positive,
  language: z.string().min(1),
  template: z.string().min(1).optional(),
  settings: z
    .strictObject({
      selectionRatio: z.number().gt(0).max(1),
      maxDepth: z.number().int().min(0).max(3),
      meanSize: positive,
      discoverySize: positive,
      rankBy: z.enum(['directional', 'magnitude']),
      attention: z.enum(['fixed', 'beta-softmax']),
      signCleanup: signCleanupSetting,
      sourceScope: z.enum(['all-positions', 'label-position']),
      batchSize: positive,
      maxLength: z.number().int().min(8),
      fastScreen: z.boolean(),
    })
    .partial()
    .default({}),
});
type DiscoverConfig = z.output<typeof discoverConfig>;

const asExample = (e: ExampleRecord): ClassificationExample => ({ id: e.sourceId, text: e.text, premise: e.premise, hypothesis: e.hypothesis, label: e.label });

/** Pool A of the training split when it holds the paper's 500 rows; the split itself otherwise. */
async function discoveryPool(ctx: JobContext<DiscoverConfig>, train: ExampleRecord[]): Promise<ExampleRecord[]> {
  const { discoverySize, tuningSize } = PAPER_POOL_SIZES;
  if (train.length < discoverySize + tuningSize) return train;
  const { datasetId, language } = ctx.config;
  const ws = ctx.workspace();
  const existing = ws.pools.find(datasetId, language, ctx.seed, discoverySize, tuningSize);
  if (existing) return ws.pools.members(existing.id, 'discovery');
  const split = splitPools(train, ctx.seed, PAPER_POOL_SIZES);
  await ctx.store.pools.create({ datasetId, language, seed: ctx.seed, discovery: split.discovery.map((e) => e.id), tuning: split.tuning.map((e) => e.id) });
  return split.discovery;
}

/**
 * Progress over the phases discovery reports (predicting the pool, scoring heads at each depth).
 * It is also the cancellation point: discovery reports synchronously, so a cancel or stop that
 * arrived meanwhile is raised from here.
 */
function phaseProgress(ctx: JobContext<DiscoverConfig>, total: number) {
  let base = 0;
  let phase = '';
  let phaseSteps = 0;
  return {
    report(name: string, done: number, of: number, weight: number, fraction = done / Math.max(1, of)) {
      if (ctx.signal.aborted) throw ctx.signal.reason === 'stop' ? new JobStoppedError() : new JobCancelledError();
      if (name !== phase) {
        base += phaseSteps;
        phase = name;
        ctx.log(name);
      }
      phaseSteps = weight;
      const step = Math.min(total - 1, Math.round(base + weight * fraction));
      ctx.progress({ step, total }).catch(() => undefined); // the throw above is the cancellation point
    },
  };
}

export const discoverModel = defineJobKind({
  kind: 'discover-model',
  description: 'find the attention heads that carry the task (CD-T) in a registered model, on one language of a dataset',
  config: discoverConfig,
  async run(ctx) {
    const { modelId, datasetId, language, template } = ctx.config;
    const ws = ctx.workspace();
    const modelRecord = ws.models.get(modelId);
    if (!modelRecord) throw new Error(`no model ${modelId} in the workspace`);
    const dataset = ws.datasets.get(datasetId);
    if (!dataset) throw new Error(`no dataset ${datasetId} in the workspace`);
    const train = ws.examples.list(datasetId, { language, split: 'train' });
    if (train.length === 0) throw new Error(`dataset "${dataset.name}" has no training examples in language "${language}"`);
    const validation = ws.examples.list(datasetId, { language, split: 'valid' }).map(asExample);

    const model = loadModel(modelRecord.sourcePath);
    const task = resolveTask(model, { preset: dataset.task === 'nli' ? 'nli' : 'sentiment', labels: dataset.labels, ...(template && { template }) });
    const pool = (await discoveryPool(ctx, train)).map(asExample);
    const options = { ...DEFAULT_DISCOVERY, ...ctx.config.settings, seed: ctx.seed, runner: ctx.runner };
    options.maxLength = Math.min(options.maxLength, model.config.maxPositions);

    const layers = model.config.numLayers;
    const predictWeight = Math.ceil(pool.length / options.batchSize);
    const total = predictWeight + (options.maxDepth + 1) * layers + 1;
    const progress = phaseProgress(ctx, total);
    // step counts are scaled so a scoring phase's step pace is even (the cost-weighted fraction), so the job's ETA is true
    const file = await runDiscovery(model, task, { pool, validation }, options, (phase, done, of, fraction) =>
      progress.report(phase, done, of, phase.startsWith('predicting') ? predictWeight : layers, fraction),
    );
    await ctx.throwIfStopped();
    ctx.log(file.expansion!.reason);

    const outputBlob = await ctx.saveBlob(`${JSON.stringify(file)}\n`, CIRCUIT_MEDIA_TYPE);
    let deepest = 0;
    for (const row of circuitRows(ctx.job.runId, language, file)) deepest = (await ctx.store.circuits.create(row)).id;
    await ctx.progress({ step: total, total });
    return { outputBlob, summary: { circuitId: deepest, heads: file.circuit.length, depthReached: file.expansion!.reached, expansion: file.expansion!.reason } };
  },
});
