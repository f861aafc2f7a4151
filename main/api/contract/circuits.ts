// Circuit calls: launch CD-T discovery as a job with its settings, list circuits, read one with
// every head score per iteration (plus faithfulness per depth and the comparison sets), save a
// hand-edited head set as a new circuit (the original is kept), and compare two circuits.

import { z } from 'zod';
import { headRef, id, jobDevice, languageCode, noArguments, shortText, timestamp } from './common';

/** Defaults follow the paper and `lontar discover` (main/circuits/run-discovery.ts). */
export const discoverySettings = z.strictObject({
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(31),
  selectionRatio: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1').default(0.02),
  maxDepth: z.number().int().min(0).max(3).default(2),
  meanSize: z.number().int().min(1).max(10_000).default(50),
  discoverySize: z.number().int().min(1).max(10_000).default(50),
  rankBy: z.enum(['directional', 'magnitude']).default('directional'),
  attention: z.enum(['fixed', 'beta-softmax']).default('fixed'),
  signCleanup: z.enum(['off', 'mlp', 'all']).default('mlp'),
  sourceScope: z.enum(['all-positions', 'label-position']).default('label-position'),
  batchSize: z.number().int().min(1).max(1024).default(10),
  maxLength: z.number().int().min(8).max(32_768).default(128),
  fastScreen: z.boolean().default(true),
  /** Prompt template for decoders; default: the task's (sentiment or NLI). */
  template: z.string().min(1).max(2000).optional(),
});
export type DiscoverySettings = z.output<typeof discoverySettings>;
export type DiscoverySettingsInput = z.input<typeof discoverySettings>;

export const circuitSummary = z.object({
  id,
  runId: id,
  name: z.string(),
  modelId: id.nullable(),
  modelName: z.string().nullable(),
  datasetId: id.nullable(),
  datasetName: z.string().nullable(),
  language: z.string(),
  selectionRatio: z.number(),
  depth: z.number().int(),
  heads: z.array(headRef),
  /** The circuit this one was edited from (null for a discovered circuit). */
  editedFrom: id.nullable(),
  createdAt: timestamp,
});
export type CircuitSummary = z.infer<typeof circuitSummary>;

const scoredHead = z.object({ layer: z.number().int(), head: z.number().int(), score: z.number(), selected: z.boolean() });
const faithfulnessRow = z.object({
  name: z.string(),
  heads: z.number().int(),
  accuracy: z.number(),
  margin: z.number(),
  accuracyFaithfulness: z.number(),
  marginFaithfulness: z.number(),
});

const spread = z.object({ mean: z.number(), std: z.number(), min: z.number(), max: z.number() });
/** The deepest circuit's faithfulness against random sets of its size (p: one-sided permutation p-value). */
export const randomNull = z.object({
  circuit: z.string(),
  heads: z.number().int(),
  draws: z.number().int(),
  accuracyFaithfulness: spread,
  marginFaithfulness: spread,
  pAccuracy: z.number(),
  pMargin: z.number(),
});

export const circuitDetail = z.object({
  circuit: circuitSummary,
  /** The model's grid: layers × query heads. */
  grid: z.object({ layers: z.number().int(), heads: z.number().int() }),
  /** Iteration 0 is scored against the logits; iteration d ≥ 1 against the heads kept at d − 1. */
  iterations: z.array(z.object({ iteration: z.number().int(), target: z.string(), scores: z.array(scoredHead) })),
  /** Per iteration and layer: the score distribution (five numbers, mean) and how many heads were kept. */
  layerProfile: z.array(
    z.object({ iteration: z.number().int(), layer: z.number().int(), heads: z.number().int(), min: z.number(), q1: z.number(), median: z.number(), q3: z.number(), max: z.number(), mean: z.number(), selected: z.number().int() }),
  ),
  /** From the discovery run's circuit file (an edited circuit shows its original's; see `editedFrom`). */
  discovery: z
    .object({
      settings: z.record(z.string(), z.unknown()),
      examples: z.object({ mean: z.number().int(), discovery: z.number().int(), pool: z.number().int(), validation: z.number().int(), overlapping: z.boolean() }),
      comparisons: z.object({ random: z.array(headRef), leastRelevant: z.array(headRef), nearZero: z.array(headRef) }),
      faithfulness: z
        .object({
          examples: z.number().int(),
          full: z.object({ accuracy: z.number(), margin: z.number() }),
          allAblated: z.object({ accuracy: z.number(), margin: z.number() }),
          circuits: z.array(faithfulnessRow),
          randomNull: randomNull.optional(),
        })
        .nullable(),
      fastScreen: z.object({ spearmanWithCdt: z.number(), seconds: z.number() }).nullable(),
      /** How far expansion went and why it stopped (`unknown` for files written before the reason was kept). */
      expansion: z.object({ asked: z.number().int(), reached: z.number().int(), stop: z.string(), reason: z.string() }),
      timings: z.record(z.string(), z.number()),
    })
    .nullable(),
});
export type CircuitDetail = z.infer<typeof circuitDetail>;

export const circuitComparison = z.object({
  a: circuitSummary,
  b: circuitSummary,
  overlap: z.array(headRef),
  onlyA: z.array(headRef),
  onlyB: z.array(headRef),
  /** |A ∩ B| / |A ∪ B|. */
  jaccard: z.number(),
  /** Spearman ρ between the two runs' iteration-0 (logit) scores over the heads both scored; null when not comparable. */
  rankCorrelation: z.number().nullable(),
  rankedHeads: z.number().int(),
  /** Why there is no rank correlation, when there is none. */
  note: z.string().nullable(),
});
export type CircuitComparison = z.infer<typeof circuitComparison>;

export const circuitCalls = {
  /** The default discovery settings, for forms to start from. */
  'circuits.defaults': { request: noArguments, response: discoverySettings },
  'circuits.discover': {
    request: z.strictObject({
      modelId: id,
      datasetId: id,
      language: languageCode,
      settings: discoverySettings.default(() => discoverySettings.parse({})),
      device: jobDevice,
      name: shortText(100).optional(),
    }),
    response: z.object({ jobId: id }),
  },
  /** Before a launch: discovery's estimated peak memory (CPU) and time, against what this machine has available now. */
  'circuits.estimate': {
    request: z.strictObject({ modelId: id, settings: discoverySettings.default(() => discoverySettings.parse({})) }),
    response: z.object({ peakBytes: z.number(), availableBytes: z.number(), fits: z.boolean(), iteration0Seconds: z.number(), atMostSeconds: z.number(), flopsPerSecond: z.number() }),
  },
  'circuits.list': { request: noArguments, response: z.object({ circuits: z.array(circuitSummary) }) },
  'circuits.get': { request: z.strictObject({ id }), response: circuitDetail },
  'circuits.saveEdited': {
    request: z.strictObject({
      baseId: id,
      heads: z.array(headRef).min(1, 'a circuit needs at least one head').max(100_000),
      name: shortText(100).optional(),
    }),
    response: circuitSummary,
  },
  'circuits.compare': {
    request: z.strictObject({ a: id, b: id }).refine((r) => r.a !== r.b, { message: 'choose two different circuits', path: ['b'] }),
    response: circuitComparison,
  },
} as const;
