// The examples each stage reads from the workspace: pools of one language split with the pipeline's
// pool seed (created on first use, through whichever process may write), samples drawn from them,
// and whole validation/test splits for evaluation. Workspace rows become classification examples
// whose id is the database id, so predictions map back to stored examples.

import { z } from 'zod';
import { sampleBalanced, splitPools } from '../data/pools';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import type { ExampleRecord, NewPoolSplit, PoolSplitRecord, Split, Workspace } from '../store/index';
import { assertTrainingRows } from './data-protocol';

export const poolSizesSchema = z.strictObject({
  /** Pool A: competence tuning, mean baseline and discovery (paper 400). */
  discovery: z.number().int().min(1).default(400),
  /** Pool B: stage-2 tuning only (paper 100). */
  tuning: z.number().int().min(1).default(100),
});
export type PoolSizes = z.output<typeof poolSizesSchema>;

/** Where a pipeline's data lives: the dataset, its source language, and how pools are cut. */
export interface PipelineData {
  datasetId: number;
  source: string;
  poolSeed: number;
  pools: PoolSizes;
}

export function toExample(r: ExampleRecord): ClassificationExample {
  return { id: String(r.id), text: r.text, premise: r.premise, hypothesis: r.hypothesis, label: r.label };
}

/** Writes a pool split: the workspace's own repository (owner) or the job's remote store. */
export type CreatePoolSplit = (p: NewPoolSplit) => PoolSplitRecord | Promise<PoolSplitRecord>;

/** The language's pool split for the pipeline, created from its training rows when missing. */
export async function obtainPoolSplit(ws: Workspace, create: CreatePoolSplit, data: PipelineData, language: string): Promise<PoolSplitRecord> {
  const { datasetId, poolSeed, pools } = data;
  const found = ws.pools.find(datasetId, language, poolSeed, pools.discovery, pools.tuning);
  if (found) return found;
  const train = ws.examples.list(datasetId, { language, split: 'train' });
  if (train.length === 0) throw new Error(`dataset ${datasetId} has no ${language} training examples to pool`);
  const split = splitPools(train, poolSeed, { discoverySize: pools.discovery, tuningSize: pools.tuning });
  return create({ datasetId, language, seed: poolSeed, discovery: split.discovery.map((e) => e.id), tuning: split.tuning.map((e) => e.id) });
}

/** Both pools of a language, each re-checked to hold training rows only. */
export function poolRows(ws: Workspace, split: PoolSplitRecord): { discovery: ExampleRecord[]; tuning: ExampleRecord[] } {
  const discovery = ws.pools.members(split.id, 'discovery');
  const tuning = ws.pools.members(split.id, 'tuning');
  assertTrainingRows(`${split.language} discovery pool`, discovery);
  assertTrainingRows(`${split.language} tuning pool`, tuning);
  return { discovery, tuning };
}

/** n label-balanced rows of a pool (a prefix of one seeded order: n = 25 lies inside n = 50). */
export function sampleRows(pool: readonly ExampleRecord[], n: number, seed: number, what: string): ExampleRecord[] {
  if (n > pool.length) throw new Error(`${what}: ${n} examples asked for, the pool holds ${pool.length}`);
  return sampleBalanced(pool, n, seed);
}

export function splitRows(ws: Workspace, datasetId: number, language: string, split: Split): ExampleRecord[] {
  const rows = ws.examples.list(datasetId, { language, split });
  if (rows.length === 0) throw new Error(`dataset ${datasetId} has no ${language} ${split} examples`);
  return rows;
}
