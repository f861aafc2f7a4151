// Configurations of the transfer job kinds. A pipeline is anchored in its competence run: the base
// model, the dataset, the source language, how pools are cut and the task; discovery, transfer and
// evaluation jobs name that run and inherit all of it, so every stage reads the same pools.

import { z } from 'zod';
import { SPLITS } from '../store/index';
import { signCleanupSetting } from '../circuits/circuit-file';
import { DEFAULT_DISCOVERY } from '../circuits/run-discovery';
import { isHeadMethod, methodSchema } from './methods';
import { poolSizesSchema, type PipelineData } from './pipeline-data';
import { recipeSchema } from './recipe';
import { KV_MODES } from './trainable-scope';

const id = z.number().int().positive();

export const taskSpecSchema = z.strictObject({
  preset: z.enum(['sentiment', 'nli']).default('sentiment'),
  /** Prompt template (decoders); default: the preset's. */
  template: z.string().min(1).optional(),
  /** Labels in order, `name` or `name=word`; default: the preset's. */
  labels: z.array(z.string().min(1)).min(2).optional(),
});
export type TaskSpec = z.output<typeof taskSpecSchema>;

export const evaluationTargetSchema = z.strictObject({ language: z.string().min(1), split: z.enum(SPLITS) });
export type EvaluationTarget = z.output<typeof evaluationTargetSchema>;

const evaluation = {
  /** Where the trained checkpoint is scored (stored with every prediction). */
  evaluate: z.array(evaluationTargetSchema).optional(),
  /** Examples per evaluation run. */
  evalBatch: z.number().int().min(1).max(4096).default(32),
};

/** Validation accuracy while a run trains (monitor.ts): a sample of the split, scored every few steps. */
export const monitorSchema = z.strictObject({
  /** Validation rows scored each time (the first ones of the split). */
  examples: z.number().int().min(1).max(4096).default(64),
  /** Steps between two scorings; 0: at the end of every epoch. */
  everySteps: z.number().int().min(0).default(0),
});
export type MonitorSettings = z.output<typeof monitorSchema>;

/** Training kinds only; absent: not monitored (the weights are the same either way). */
const monitored = { monitor: monitorSchema.optional() };

export const competenceConfig = z.strictObject({
  modelId: id,
  datasetId: id,
  /** Proxy (source) language, e.g. ind. */
  source: z.string().min(1),
  /** Stage-1 examples drawn (label-balanced) from the source's Pool A (paper: 50 NusaX). */
  nSrc: z.number().int().min(1).default(50),
  pools: poolSizesSchema.prefault({}),
  /** Seed of the pool partition (every language of the pipeline uses it); null: the run's seed. */
  poolSeed: z.number().int().nullable().default(null),
  task: taskSpecSchema.prefault({}),
  recipe: recipeSchema.prefault({}),
  ...evaluation,
  ...monitored,
});
export type CompetenceConfig = z.output<typeof competenceConfig>;

export const discoveryConfig = z.strictObject({
  competenceRunId: id,
  /** Expansion iterations after the first (cap 3). */
  depth: z.number().int().min(0).max(3).default(2),
  selectionRatio: z.number().positive().max(1).default(0.02),
  meanSize: z.number().int().min(1).default(50),
  discoverySize: z.number().int().min(1).default(50),
  rankBy: z.enum(['directional', 'magnitude']).default('directional'),
  attention: z.enum(['fixed', 'beta-softmax']).default('fixed'),
  signCleanup: signCleanupSetting.default(DEFAULT_DISCOVERY.cd.signCleanup),
  sourceScope: z.enum(['all-positions', 'label-position']).default('label-position'),
  batchSize: z.number().int().min(1).default(10),
  fastScreen: z.boolean().default(false),
});
export type DiscoveryConfig = z.output<typeof discoveryConfig>;

export const transferConfig = z
  .strictObject({
    competenceRunId: id,
    /** The circuit (required by head methods). */
    discoveryRunId: id.nullable().default(null),
    method: methodSchema,
    /** Target language; its Pool B gives the tuning examples. */
    target: z.string().min(1),
    n: z.number().int().min(1),
    /** Circuit depth for head methods (K = the circuit's size at that depth). */
    depth: z.number().int().min(0).max(3).default(2),
    kv: z.enum(KV_MODES as ['group', 'freeze']).default('group'),
    recipe: recipeSchema.prefault({}),
    ...evaluation,
    ...monitored,
  })
  .refine((c) => !isHeadMethod(c.method) || c.discoveryRunId !== null, {
    message: 'head methods (circuit, nearzero, random, least) need discoveryRunId',
    path: ['discoveryRunId'],
  });
export type TransferConfig = z.output<typeof transferConfig>;

export const evaluateConfig = z
  .strictObject({
    /** The run whose checkpoint is scored (competence or transfer); its evaluation is stored with it. */
    runId: id.nullable().default(null),
    /** Or a registered model as it is (the evaluation is stored with this job's run). */
    modelId: id.nullable().default(null),
    datasetId: id,
    targets: z.array(evaluationTargetSchema).min(1),
    task: taskSpecSchema.prefault({}),
    /** Longest prompt; null: the run's recipe's (a model: 128). */
    maxLength: z.number().int().min(8).nullable().default(null),
    evalBatch: z.number().int().min(1).max(4096).default(32),
  })
  .refine((c) => (c.runId === null) !== (c.modelId === null), { message: 'give exactly one of runId and modelId', path: ['runId'] });
export type EvaluateConfig = z.output<typeof evaluateConfig>;

/** The data half of a pipeline, from its competence run's configuration and seed. */
export function pipelineOf(config: CompetenceConfig, runSeed: number): PipelineData {
  return { datasetId: config.datasetId, source: config.source, poolSeed: config.poolSeed ?? runSeed, pools: config.pools };
}
