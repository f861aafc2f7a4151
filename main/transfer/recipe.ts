// The training recipe every stage shares (competence tuning, CT-SFT, each baseline), so methods are
// compared under the same optimiser, schedule and data budget. Defaults are the paper's (App. A):
// 5 epochs, learning rate 5e-5, batch 16, max length 128. The paper leaves the optimiser, schedule,
// warm-up, weight decay and clipping unstated; the defaults here are Hugging Face Trainer's (AdamW,
// linear decay to 0, no warm-up, no weight decay, gradient norm clipped at 1).

import { z } from 'zod';
import type { TrainStepOptions } from '../engine/optim/train-step';

export const recipeSchema = z.strictObject({
  epochs: z.number().int().min(1).max(10_000).default(5),
  lr: z.number().positive().max(10).default(5e-5),
  batchSize: z.number().int().min(1).max(4096).default(16),
  /** Longest prompt in tokens; longer prompts are shortened in their fields (paper: 128). */
  maxLength: z.number().int().min(8).max(32_768).default(128),
  optimizer: z.enum(['adamw', 'sgd']).default('adamw'),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.999),
  eps: z.number().positive().default(1e-8),
  /** Decoupled (AdamW) or L2 (SGD) decay, on matrices only (not biases or norms). */
  weightDecay: z.number().min(0).max(1).default(0),
  /** SGD only. */
  momentum: z.number().min(0).max(1).default(0),
  schedule: z.enum(['linear', 'constant']).default('linear'),
  /** Share of the steps spent warming up linearly from 0 (linear schedule). */
  warmupRatio: z.number().min(0).max(1).default(0),
  /** Global gradient-norm clip; null: none. */
  clipNorm: z.number().positive().nullable().default(1),
  /**
   * Rows per gradient run: the batch is split into micro-batches whose gradients are accumulated
   * before one optimizer step (the same step up to float rounding), so activations take 1/k of the
   * memory. Absent: the whole batch in one run.
   */
  microBatch: z.number().int().min(1).optional(),
}).refine((r) => r.microBatch === undefined || r.batchSize % r.microBatch === 0, {
  message: 'microBatch must divide batchSize',
  path: ['microBatch'],
});

export type Recipe = z.output<typeof recipeSchema>;
export type RecipeInput = z.input<typeof recipeSchema>;

/** The paper's recipe with the unstated choices filled as above. */
export const PAPER_RECIPE: Recipe = recipeSchema.parse({});

/** Optimizer steps for n examples: every epoch walks all examples in batches (the last one partial). */
export function stepsFor(examples: number, recipe: Pick<Recipe, 'epochs' | 'batchSize'>): number {
  return recipe.epochs * stepsPerEpoch(examples, recipe.batchSize);
}

export function stepsPerEpoch(examples: number, batchSize: number): number {
  return Math.ceil(examples / batchSize);
}

/** The engine's train-step options for a run of `totalSteps` steps. */
export function trainStepOptions(recipe: Recipe, totalSteps: number): TrainStepOptions {
  const optimizer =
    recipe.optimizer === 'adamw'
      ? { kind: 'adamw' as const, beta1: recipe.beta1, beta2: recipe.beta2, eps: recipe.eps, weightDecay: recipe.weightDecay }
      : { kind: 'sgd' as const, momentum: recipe.momentum, weightDecay: recipe.weightDecay };
  const schedule =
    recipe.schedule === 'constant'
      ? { kind: 'constant' as const, lr: recipe.lr }
      : { kind: 'linear' as const, lr: recipe.lr, warmupSteps: Math.round(recipe.warmupRatio * totalSteps), totalSteps };
  return { optimizer, schedule, ...(recipe.clipNorm !== null && { clipNorm: recipe.clipNorm }) };
}

/** One line for logs and reports, e.g. "5 epochs, adamw lr 5e-5 (linear), batch 16, max 128 tokens". */
export function describeRecipe(r: Recipe): string {
  const decay = r.weightDecay > 0 ? `, wd ${r.weightDecay}` : '';
  const clip = r.clipNorm !== null ? `, clip ${r.clipNorm}` : '';
  const warm = r.schedule === 'linear' && r.warmupRatio > 0 ? `, warm-up ${r.warmupRatio}` : '';
  const micro = r.microBatch !== undefined && r.microBatch < r.batchSize ? ` in micro-batches of ${r.microBatch}` : '';
  return `${r.epochs} epochs, ${r.optimizer} lr ${r.lr} (${r.schedule}${warm}${decay}${clip}), batch ${r.batchSize}${micro}, max ${r.maxLength} tokens`;
}
