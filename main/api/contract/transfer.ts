// Transfer and Compare calls: the runs of the transfer pipeline (competence, discovery on the
// competence checkpoint, CT-SFT and baselines, evaluations) with their scores; launching them as
// jobs (one job per seed, and per method); a run's loss and validation-accuracy series for live
// curves; and the forgetting comparison of an experiment or of one competence run's transfers, with
// the experiment report's tables. The device a job runs on comes from `engine.info`.

import { z } from 'zod';
import { id, jobDevice as device, languageCode, noArguments, shortText, timestamp } from './common';
import { jobStatus } from './jobs';

export const TRANSFER_METHODS = ['circuit', 'nearzero', 'random', 'least', 'full', 'direct', 'norms'] as const;
export type TransferMethodName = (typeof TRANSFER_METHODS)[number];
/** Methods that train attention heads and so need a circuit (a discovery run). */
export const HEAD_METHOD_NAMES: readonly TransferMethodName[] = ['circuit', 'nearzero', 'random', 'least'];
export const transferMethod = z.enum(TRANSFER_METHODS);

export const TRANSFER_RUN_KINDS = ['competence', 'discover', 'transfer', 'evaluate'] as const;

const distinct = (xs: readonly unknown[]) => new Set(xs).size === xs.length;

const seeds = z
  .array(z.number().int().min(0).max(2 ** 31 - 1))
  .min(1, 'give at least one seed')
  .max(16, 'at most 16 seeds at once')
  .refine(distinct, { message: 'seeds must be distinct' })
  .default([31]);

/** The part of the training recipe the workbench sets; the rest keeps the paper's defaults (docs/transfer.md). */
export const trainingRecipe = z
  .strictObject({
    epochs: z.number().int().min(1).max(1000).default(5),
    lr: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1').default(5e-5),
    batchSize: z.number().int().min(1).max(1024).default(16),
    maxLength: z.number().int().min(8).max(32_768).default(128),
    /** Rows per gradient run, accumulated over the batch (saves memory on large models). */
    microBatch: z.number().int().min(1).max(1024).optional(),
  })
  .refine((r) => r.microBatch === undefined || r.batchSize % r.microBatch === 0, { message: 'the micro-batch must divide the batch size', path: ['microBatch'] });
export type TrainingRecipe = z.output<typeof trainingRecipe>;

/** Validation accuracy while training (the accuracy curve); 0 steps: at the end of every epoch. */
export const monitorSettings = z.strictObject({
  examples: z.number().int().min(1).max(4096).default(64),
  everySteps: z.number().int().min(0).max(1_000_000).default(0),
});

const launched = z.object({ jobIds: z.array(id), runIds: z.array(id) });

export const runEvaluation = z.object({
  language: z.string(),
  split: z.string(),
  count: z.number().int(),
  accuracy: z.number().nullable(),
  macroF1: z.number().nullable(),
});

export const transferRun = z.object({
  id,
  kind: z.enum(TRANSFER_RUN_KINDS),
  name: z.string().nullable(),
  status: z.enum(['pending', 'running', 'done', 'failed', 'cancelled', 'interrupted']),
  seed: z.number().int(),
  modelId: id.nullable(),
  datasetId: id.nullable(),
  /** The pipeline's anchor (the run itself for a competence run). */
  competenceRunId: id.nullable(),
  discoveryRunId: id.nullable(),
  /** `competence` for a competence run; a transfer method; null for discovery and evaluation. */
  method: z.string().nullable(),
  source: z.string().nullable(),
  target: z.string().nullable(),
  n: z.number().int().nullable(),
  /** Asked for: a discovery's maximum depth, a head method's circuit depth. */
  depth: z.number().int().nullable(),
  /** What was reached: a discovery's last iteration, the depth of the circuit a transfer trained (null: not yet known). */
  depthReached: z.number().int().nullable(),
  /** How results name this depth: `d1`, `d0 (asked d1)`, `d≤1` before it is known. */
  depthTag: z.string().nullable(),
  config: z.record(z.string(), z.unknown()),
  /** The run's latest job: its state, progress and time left. */
  job: z
    .object({ id, status: jobStatus, progress: z.number(), step: z.number().nullable(), total: z.number().nullable(), etaSeconds: z.number().nullable(), resumable: z.boolean() })
    .nullable(),
  trainableFraction: z.number().nullable(),
  trainSeconds: z.number().nullable(),
  /** Circuit heads trained (`layer.head`, space-separated) for head methods. */
  heads: z.string().nullable(),
  evaluations: z.array(runEvaluation),
  error: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});
export type TransferRun = z.infer<typeof transferRun>;

const seriesPoint = z.object({ step: z.number().int(), value: z.number() });

/** Mean ± sample std over seeds (null: nothing measured). */
const stat = z.object({ mean: z.number(), std: z.number(), count: z.number().int() }).nullable();
export type StatView = z.infer<typeof stat>;

export const comparisonPoint = z.object({
  target: z.string(),
  n: z.number().int(),
  /** A method, or `chosen` (CT-SFT: Circuit or NearZero picked on validation). */
  method: z.string(),
  /** The depth asked for (head methods). */
  depth: z.number().int().nullable(),
  /** The depths the runs' circuits reached (expansion may stop earlier); the label names these. */
  depthReached: z.array(z.number().int()),
  label: z.string(),
  targetAcc: stat,
  targetF1: stat,
  /** Source test accuracy after tuning. */
  sourceAcc: stat,
  forgetting: stat,
  trainableFraction: stat,
  trainSeconds: stat,
});
export type ComparisonPoint = z.infer<typeof comparisonPoint>;

export const reportTable = z.object({ title: z.string(), note: z.string().nullable(), header: z.array(z.string()), rows: z.array(z.array(z.string())) });
export type ReportTable = z.infer<typeof reportTable>;

export const comparison = z.object({
  kind: z.enum(['experiment', 'pipeline']),
  name: z.string(),
  source: z.string(),
  targets: z.array(z.string()),
  seeds: z.array(z.number().int()),
  points: z.array(comparisonPoint),
  /** Per target: the competence checkpoint's zero-shot accuracy (A0) and its source accuracy (the retention baseline). */
  competence: z.array(z.object({ target: z.string(), a0: stat, source: stat })),
  tables: z.array(reportTable),
  /** Cells or runs without a result yet. */
  missing: z.array(z.object({ key: z.string(), status: z.string() })),
});
export type Comparison = z.infer<typeof comparison>;

export const transferCalls = {
  'transfer.runs': {
    request: z.strictObject({ kinds: z.array(z.enum(TRANSFER_RUN_KINDS)).min(1).optional() }),
    response: z.object({ runs: z.array(transferRun) }),
  },
  /** Stage 1: full fine-tuning on nSrc source examples from Pool A, one job per seed; scored on the source and on each target (A0). */
  'transfer.launchCompetence': {
    request: z.strictObject({
      modelId: id,
      datasetId: id,
      source: languageCode,
      /** Target languages whose test split the checkpoint is scored on (A0). */
      targets: z.array(languageCode).max(32).refine(distinct, { message: 'targets must be distinct' }).default([]),
      nSrc: z.number().int().min(1).max(100_000).default(50),
      seeds,
      recipe: trainingRecipe.prefault({}),
      pools: z.strictObject({ discovery: z.number().int().min(1).default(400), tuning: z.number().int().min(1).default(100) }).prefault({}),
      monitor: monitorSettings.prefault({}),
      device,
      name: shortText(100).optional(),
    }),
    response: launched,
  },
  /** CD-T discovery on a competence checkpoint (the circuit CT-SFT and the head controls train). */
  'transfer.discover': {
    request: z.strictObject({
      competenceRunId: id,
      depth: z.number().int().min(0).max(3).default(1),
      selectionRatio: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1').default(0.02),
      meanSize: z.number().int().min(1).max(10_000).default(50),
      discoverySize: z.number().int().min(1).max(10_000).default(50),
      batchSize: z.number().int().min(1).max(1024).default(10),
      device,
    }),
    response: z.object({ jobId: id, runId: id }),
  },
  /** Stage 2: each method × seed as its own job, from the competence checkpoint (direct: the base model). */
  'transfer.launch': {
    request: z
      .strictObject({
        competenceRunId: id,
        discoveryRunId: id.nullable().default(null),
        methods: z.array(transferMethod).min(1, 'choose at least one method').refine(distinct, { message: 'methods must be distinct' }),
        target: languageCode,
        n: z.number().int().min(1).max(100_000),
        seeds,
        depth: z.number().int().min(0).max(3).default(1),
        kv: z.enum(['group', 'freeze']).default('group'),
        recipe: trainingRecipe.prefault({}),
        monitor: monitorSettings.prefault({}),
        device,
      })
      .refine((r) => r.discoveryRunId !== null || !r.methods.some((m) => HEAD_METHOD_NAMES.includes(m)), {
        message: 'circuit, nearzero, random and least train heads: choose a discovery run',
        path: ['discoveryRunId'],
      }),
    response: launched,
  },
  /**
   * Before a launch: the estimated peak memory and training time of the largest of these jobs (from
   * the model's shapes, the scope and the recipe; CPU memory), whether it fits what this machine has
   * available now, and if not the largest micro-batch that does.
   */
  'transfer.estimate': {
    request: z
      .strictObject({
        /** The model a competence run would tune, or the competence run a transfer starts from. */
        modelId: id.optional(),
        competenceRunId: id.optional(),
        methods: z.array(transferMethod).min(1).default(['full']),
        examples: z.number().int().min(1).max(100_000),
        kv: z.enum(['group', 'freeze']).default('group'),
        recipe: trainingRecipe.prefault({}),
      })
      .refine((r) => (r.modelId === undefined) !== (r.competenceRunId === undefined), { message: 'give the model or the competence run', path: ['modelId'] }),
    response: z.object({
      method: transferMethod,
      peakBytes: z.number(),
      availableBytes: z.number(),
      fits: z.boolean(),
      proposedMicroBatch: z.number().int().nullable(),
      seconds: z.number(),
      flopsPerSecond: z.number(),
    }),
  },
  /** A run's training curves: loss every step, validation accuracy where it was scored. */
  'transfer.series': {
    request: z.strictObject({ runId: id }),
    response: z.object({ runId: id, status: z.string(), loss: z.array(seriesPoint), valAccuracy: z.array(seriesPoint) }),
  },
  /** What can be compared: experiments (e.g. the demo) and competence runs with their transfers. */
  'transfer.comparisons': {
    request: noArguments,
    response: z.object({
      experiments: z.array(z.object({ name: z.string(), runs: z.number().int(), done: z.number().int() })),
      pipelines: z.array(z.object({ competenceRunId: id, name: z.string(), source: z.string(), transfers: z.number().int(), done: z.number().int() })),
    }),
  },
  'transfer.compare': {
    request: z
      .strictObject({ experiment: shortText(200).optional(), competenceRunId: id.optional() })
      .refine((r) => (r.experiment === undefined) !== (r.competenceRunId === undefined), { message: 'give exactly one of experiment and competenceRunId', path: ['experiment'] }),
    response: comparison,
  },
  /** The first-run path: the demo pipeline on the bundled model and NusaX data, queued as jobs (finished cells are kept). */
  'transfer.runDemo': {
    request: z.strictObject({ device }),
    response: z.object({ experiment: z.string(), jobIds: z.array(id), complete: z.boolean() }),
  },
} as const;
