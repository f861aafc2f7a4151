// One fine-tuning run on the engine's Trainer with the split layout: only the scope's trainable
// pieces are graph inputs (updated by the optimizer and kept as runner state); frozen tensors and
// frozen pieces of sliced tensors are constant inputs fed from runner state, so they cannot change
// and cost no weight gradient. As initializers onnxruntime would copy them into every session (on
// the 24-layer Qwen2.5-0.5B shape, CT-SFT at batch 4: peak 8.7 GB instead of 5.1, 26 s instead of
// 1.6 s to create the session). Every batch is padded to one length (the longest training prompt,
// in multiples of 16), so one compiled session serves the whole run, and batch k is a pure function
// of (seed, k).

import { Trainer, type StepResult } from '../engine/optim/trainer';
import { mergeTrained, type TrainableTensor } from '../engine/params/binding';
import type { Runner } from '../engine/runtime/runner';
import { bucketLength } from '../engine/runtime/session-cache';
import type { HostTensor } from '../engine/tensor';
import { BatchEncoder, type ClassificationExample } from '../models/classification/batch-encoder';
import type { ClassificationTask } from '../models/classification/task';
import { buildTaskModel, TASK_INPUTS } from '../models/classification/task-model';
import type { LoadedModel } from '../models/load';
import { batchIndices } from './data-order';
import { stepsFor, trainStepOptions, type Recipe } from './recipe';
import type { TrainableScope } from './trainable-scope';

export interface FineTuneOptions {
  /** The starting checkpoint (config, tokenizer, weights). */
  model: LoadedModel;
  task: ClassificationTask;
  examples: readonly ClassificationExample[];
  recipe: Recipe;
  scope: TrainableScope;
  seed: number;
  runner: Runner;
  /** Parameter bytes per optimizer-update run (the trainer's default: UPDATE_CHUNK_BYTES). */
  updateChunkBytes?: number;
}

export function floatTypeOf(weights: ReadonlyMap<string, HostTensor>): 'float32' | 'float64' {
  return weights.values().next().value?.dtype === 'float64' ? 'float64' : 'float32';
}

export class FineTuning {
  readonly steps: number;
  readonly bucket: string;
  readonly trainer: Trainer;
  private trainables: TrainableTensor[] = [];

  private constructor(
    private readonly opts: FineTuneOptions,
    private readonly encoder: BatchEncoder,
    private readonly seq: number,
  ) {
    const { recipe, examples, model, task, scope } = opts;
    this.steps = stepsFor(examples.length, recipe);
    this.bucket = `${recipe.batchSize}x${seq}`;
    this.trainer = new Trainer({
      runner: opts.runner,
      ...trainStepOptions(recipe, this.steps),
      statePrefix: 'fine-tune.',
      microBatches: recipe.microBatch ? recipe.batchSize / recipe.microBatch : 1,
      ...(opts.updateChunkBytes !== undefined && { updateChunkBytes: opts.updateChunkBytes }),
      rowWeights: TASK_INPUTS.weights,
      build: (_bucket, rows) => {
        const bind = { layout: 'split' as const, trainability: scope.trainability, frozenAs: 'input' as const };
        const m = buildTaskModel(model, task, { batch: rows ?? recipe.batchSize, seq }, { bind });
        this.trainables = m.params.trainables;
        return { graph: m.graph, loss: m.loss, trainables: m.params.trainables, constants: m.params.constants };
      },
    });
  }

  /** Compiles the training graph and uploads the starting values and zeroed optimizer state. */
  static async prepare(opts: FineTuneOptions): Promise<FineTuning> {
    if (opts.examples.length === 0) throw new Error('fine-tuning needs at least one training example');
    if (opts.scope.trainable === 0) throw new Error('nothing is trainable in this scope');
    const encoder = new BatchEncoder(opts.model, opts.task, { maxLength: opts.recipe.maxLength, floatType: floatTypeOf(opts.model.weights) });
    const longest = Math.max(...opts.examples.map((e) => encoder.tokenize(e).ids.length));
    const ft = new FineTuning(opts, encoder, bucketLength(longest, 16, encoder.maxLength));
    await ft.trainer.start(ft.bucket);
    return ft;
  }

  /** The feeds of 1-based step `step`. */
  batch(step: number): Record<string, HostTensor> {
    const { examples, recipe, seed } = this.opts;
    const picked = batchIndices(examples.length, recipe.batchSize, seed, step).map((i) => examples[i]!);
    return this.encoder.encode(picked, recipe.batchSize, this.seq).feeds;
  }

  /** Runs the remaining steps here (outside a job); `onStep` sees every result. */
  async run(onStep?: (r: StepResult) => void | Promise<void>): Promise<StepResult | undefined> {
    let last: StepResult | undefined;
    while (this.trainer.step < this.steps) {
      last = await this.trainer.trainStep(this.bucket, this.batch(this.trainer.step + 1));
      await onStep?.(last);
    }
    return last;
  }

  /** The whole checkpoint after training: trained tensors merged into the starting weights. */
  async trainedWeights(): Promise<Map<string, HostTensor>> {
    return mergeTrained(this.opts.model.weights, this.trainables, await this.trainer.trainedValues());
  }

  /** Only the tensors with anything trainable, at their full shapes (what a run stores). */
  async changedTensors(): Promise<Map<string, HostTensor>> {
    const merged = await this.trainedWeights();
    const touched = new Set(this.trainables.map((t) => t.source));
    return new Map([...merged].filter(([name]) => touched.has(name)));
  }

  async dispose(): Promise<void> {
    await this.trainer.dispose();
  }
}
