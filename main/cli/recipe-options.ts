// The training-recipe flags shared by `lontar competence` and `lontar transfer` (defaults: the
// paper's recipe, see docs/transfer.md), turned into a recipe the job schema validates.

import { InvalidArgumentError, type Command } from 'commander';
import { PAPER_RECIPE, type RecipeInput } from '../transfer/recipe';

export interface RecipeFlags {
  epochs?: number;
  lr?: number;
  batch?: number;
  microBatch?: number;
  maxLength?: number;
  optimizer?: 'adamw' | 'sgd';
  weightDecay?: number;
  schedule?: 'linear' | 'constant';
  warmupRatio?: number;
  clipNorm?: number;
  noClip?: boolean;
}

export const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
export const anyInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
};
const number = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
};
const oneOf =
  <T extends string>(...values: T[]) =>
  (v: string): T => {
    if (!(values as string[]).includes(v)) throw new InvalidArgumentError(`one of ${values.join(', ')}`);
    return v as T;
  };

export function addRecipeOptions(cmd: Command): Command {
  const p = PAPER_RECIPE;
  return cmd
    .option('--epochs <n>', `training epochs (default ${p.epochs})`, positiveInt)
    .option('--lr <rate>', `learning rate (default ${p.lr})`, number)
    .option('--batch <n>', `examples per step (default ${p.batchSize})`, positiveInt)
    .option('--micro-batch <n>', 'rows per gradient run, accumulated over the batch (divides --batch; saves memory on large models)', positiveInt)
    .option('--max-length <n>', `longest prompt in tokens (default ${p.maxLength})`, positiveInt)
    .option('--optimizer <name>', `adamw or sgd (default ${p.optimizer})`, oneOf('adamw', 'sgd'))
    .option('--weight-decay <wd>', `weight decay on matrices (default ${p.weightDecay})`, number)
    .option('--schedule <name>', `linear (decay to 0) or constant (default ${p.schedule})`, oneOf('linear', 'constant'))
    .option('--warmup-ratio <r>', `share of steps warming up (default ${p.warmupRatio})`, number)
    .option('--clip-norm <n>', `clip the global gradient norm (default ${p.clipNorm})`, number)
    .option('--no-clip', 'do not clip gradients');
}

export function recipeFromFlags(f: RecipeFlags & { clip?: boolean }): RecipeInput {
  return {
    ...(f.epochs !== undefined && { epochs: f.epochs }),
    ...(f.lr !== undefined && { lr: f.lr }),
    ...(f.batch !== undefined && { batchSize: f.batch }),
    ...(f.microBatch !== undefined && { microBatch: f.microBatch }),
    ...(f.maxLength !== undefined && { maxLength: f.maxLength }),
    ...(f.optimizer !== undefined && { optimizer: f.optimizer }),
    ...(f.weightDecay !== undefined && { weightDecay: f.weightDecay }),
    ...(f.schedule !== undefined && { schedule: f.schedule }),
    ...(f.warmupRatio !== undefined && { warmupRatio: f.warmupRatio }),
    ...(f.clip === false ? { clipNorm: null } : f.clipNorm !== undefined ? { clipNorm: f.clipNorm } : {}),
  };
}
