// circuit.json: everything a discovery run decided and measured, so a circuit can be reviewed,
// compared, edited and reproduced later — settings (seed, p, depth, rules), the example ids of M and
// of the discovery set, every head's score per iteration, the selected heads, the control sets,
// faithfulness per depth, the fast screen and its rank correlation, and timings.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { SIGN_CLEANUPS } from '../engine/ops/op-def';

export const CIRCUIT_FILE_VERSION = 1;

/** Where CD's sign cleanup runs; files and jobs written before the placements existed say true ('all') or false. */
export const signCleanupSetting = z.union([z.enum(SIGN_CLEANUPS), z.boolean().transform((on) => (on ? 'all' : 'off'))]);

const head = z.object({ layer: z.number().int().nonnegative(), head: z.number().int().nonnegative() });
const metrics = z.object({ accuracy: z.number(), margin: z.number() });

const spread = z.object({ mean: z.number(), std: z.number(), min: z.number(), max: z.number() });
/** The deepest circuit's faithfulness against random sets of its size (p: one-sided permutation p-value). */
const randomNullSchema = z.object({
  circuit: z.string(),
  heads: z.number(),
  draws: z.number(),
  accuracyFaithfulness: spread,
  marginFaithfulness: spread,
  pAccuracy: z.number(),
  pMargin: z.number(),
});

export const circuitFileSchema = z.object({
  version: z.literal(CIRCUIT_FILE_VERSION),
  createdAt: z.string(),
  model: z.object({ path: z.string(), family: z.string(), layers: z.number(), heads: z.number(), headDim: z.number() }),
  task: z.object({ kind: z.string(), labels: z.array(z.string()), template: z.string().optional() }),
  settings: z.object({
    seed: z.number(),
    selectionRatio: z.number(),
    perIteration: z.number(),
    maxDepth: z.number(),
    meanSize: z.number(),
    discoverySize: z.number(),
    rankBy: z.enum(['directional', 'magnitude']),
    attention: z.enum(['fixed', 'beta-softmax']),
    signCleanup: signCleanupSetting,
    sourceScope: z.enum(['all-positions', 'label-position']),
    /** Random sets in the faithfulness null (absent in older files). */
    randomDraws: z.number().optional(),
    sequenceLength: z.number(),
    biasTolerance: z.number(),
  }),
  examples: z.object({
    mean: z.array(z.string()),
    discovery: z.array(z.string()),
    overlapping: z.boolean(),
    correctPerLabel: z.record(z.string(), z.number()),
    pool: z.number(),
    validation: z.number(),
  }),
  /** Coverage of μ's positions and the value where no example of M reaches (absent in older files). */
  meanBaseline: z
    .object({ examples: z.number(), seq: z.number(), reachedPositions: z.number(), unreachedPositions: z.number(), unreached: z.literal('pooled'), examplesAtUnreached: z.number() })
    .optional(),
  iterations: z.array(
    z.object({
      depth: z.number(),
      targets: z.union([z.literal('logits'), z.array(head)]),
      scores: z.array(head.extend({ directional: z.number(), magnitude: z.number() })),
      selected: z.array(head),
      seconds: z.number(),
    }),
  ),
  circuit: z.array(head),
  /** How far expansion went and why it stopped (absent in files written before it was kept: see expansionOf). */
  expansion: z
    .object({ asked: z.number().int(), reached: z.number().int(), stop: z.enum(['asked-depth', 'targets-in-layer-0', 'no-candidates']), reason: z.string() })
    .optional(),
  /** Per iteration and layer: the distribution of the ranking score over the layer's candidates (layer-profile.ts). */
  layerProfile: z
    .array(z.object({ iteration: z.number().int(), layer: z.number().int(), heads: z.number().int(), min: z.number(), q1: z.number(), median: z.number(), q3: z.number(), max: z.number(), mean: z.number(), selected: z.number().int() }))
    .optional(),
  comparisons: z.object({ random: z.array(head), leastRelevant: z.array(head), nearZero: z.array(head) }),
  faithfulness: z
    .object({
      examples: z.number(),
      full: metrics,
      allAblated: metrics,
      circuits: z.array(metrics.extend({ name: z.string(), heads: z.number(), accuracyFaithfulness: z.number(), marginFaithfulness: z.number() })),
      /** The deepest circuit against random sets of its size (faithfulness.ts RandomNull; absent in older files). */
      randomNull: randomNullSchema.optional(),
    })
    .nullable(),
  fastScreen: z.object({ attribution: z.array(z.array(z.number())), spearmanWithCdt: z.number(), seconds: z.number() }).nullable(),
  timings: z.record(z.string(), z.number()),
});

export type CircuitFile = z.infer<typeof circuitFileSchema>;

/** The file's expansion record; for an older file, what its iterations show (the reason then unknown). */
export function expansionOf(file: CircuitFile): NonNullable<CircuitFile['expansion']> | { asked: number; reached: number; stop: 'unknown'; reason: string } {
  if (file.expansion) return file.expansion;
  const reached = file.iterations.length - 1;
  const stop = reached >= Math.min(file.settings.maxDepth, 3) ? 'reached the asked depth' : 'expansion stopped early (this file predates the recorded reason)';
  return { asked: file.settings.maxDepth, reached, stop: 'unknown', reason: `${stop}: depth ${reached} of ${file.settings.maxDepth}` };
}

export function writeCircuitFile(path: string, file: CircuitFile): void {
  const text = `${JSON.stringify(circuitFileSchema.parse(file), null, 2)}\n`;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function readCircuitFile(path: string): CircuitFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not a readable JSON file (${(e as Error).message})`);
  }
  const parsed = circuitFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${path}: not a Lontar circuit file: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
