// An experiment file (JSON or YAML) describes a grid: targets × n × methods × seeds × depth, from one
// source language, model and dataset, under one recipe. Paths are relative to the file. Example (the
// paper's NusaX protocol):
//   name: nusax-paper
//   model: ../resources/models/lontar-demo-qwen2
//   data: ../resources/data/nusax-senti
//   source: ind
//   targets: [ace, bug, jav, min]
//   n: [25, 50, 75, 100]
//   methods: [circuit, nearzero, random, least, full, direct, norms]
//   seeds: [31, 777, 2025, 12345]
//   depth: [0, 1, 2]

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { discoveryConfig, monitorSchema, taskSpecSchema } from '../job-configs';
import { isHeadMethod, methodSchema } from '../methods';
import { poolSizesSchema } from '../pipeline-data';
import { recipeSchema } from '../recipe';
import { KV_MODES } from '../trainable-scope';

const language = z.string().regex(/^[A-Za-z0-9_-]+$/, 'a language code such as ind or jav');
const distinct = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .min(1)
    .refine((xs) => new Set(xs.map((x) => JSON.stringify(x))).size === xs.length, { message: 'values must be distinct' });

export const experimentSchema = z
  .strictObject({
    /** Names the experiment in the workspace; runs are named `<name>/<cell>`. */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
    /** Base model folder. */
    model: z.string().min(1),
    /** Dataset to import when the workspace does not hold it yet (a NusaX/XNLI folder or a file). */
    data: z.string().min(1).optional(),
    /** Name of a dataset already in the workspace (default: the one imported from `data`). */
    dataset: z.string().min(1).optional(),
    task: taskSpecSchema.prefault({}),
    source: language,
    targets: distinct(language),
    nSrc: z.number().int().min(1).default(50),
    n: distinct(z.number().int().min(1)),
    methods: distinct(methodSchema).default(['circuit', 'nearzero', 'full']),
    seeds: distinct(z.number().int()).default([31, 777, 2025, 12345]),
    depth: distinct(z.number().int().min(0).max(3)).default([2]),
    kv: z.enum(KV_MODES as ['group', 'freeze']).default('group'),
    pools: poolSizesSchema.prefault({}),
    /** Stage-2 recipe, shared by every method. */
    recipe: recipeSchema.prefault({}),
    /** Stage-1 recipe (default: the stage-2 recipe). */
    competenceRecipe: recipeSchema.optional(),
    discovery: discoveryConfig.omit({ competenceRunId: true, depth: true }).prefault({}),
    evalBatch: z.number().int().min(1).default(32),
    /** Engine threads per job (1 keeps runs bit-reproducible; see docs/transfer.md). */
    threads: z.number().int().min(1).default(1),
    /** Training steps between job checkpoints; 0: only when stopped (each kept checkpoint is a blob). */
    checkpointEvery: z.number().int().min(0).default(0),
    /** Validation accuracy while each run trains (the workbench's curves); absent: not monitored. */
    monitor: monitorSchema.optional(),
  })
  .refine((s) => s.data !== undefined || s.dataset !== undefined, { message: 'give `data` (to import) or `dataset` (already imported)', path: ['data'] });

export type ExperimentSpec = z.output<typeof experimentSchema>;
export type ExperimentInput = z.input<typeof experimentSchema>;

export class ExperimentFileError extends Error {
  override name = 'ExperimentFileError';
}

/** Validates a spec; relative `model` and `data` paths are resolved against `baseDir`. */
export function parseExperiment(raw: unknown, baseDir: string, origin = 'experiment'): ExperimentSpec {
  const parsed = experimentSchema.safeParse(raw);
  if (!parsed.success) throw new ExperimentFileError(`${origin}: ${z.prettifyError(parsed.error)}`);
  const spec = parsed.data;
  if (!spec.methods.some(isHeadMethod) && spec.depth.length > 1) {
    throw new ExperimentFileError(`${origin}: depth lists several values but no head method (circuit, nearzero, random, least) uses them`);
  }
  return { ...spec, model: resolve(baseDir, spec.model), ...(spec.data !== undefined && { data: resolve(baseDir, spec.data) }) };
}

export function readExperimentFile(path: string): ExperimentSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ExperimentFileError(`${path}: cannot read (${(e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ExperimentFileError(`${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'} (${(e as Error).message})`);
  }
  return parseExperiment(raw, dirname(resolve(path)), path);
}
