// Causal-LM pretraining with the engine: AdamW, linear warm-up then linear decay, global-norm
// clipping, one fixed [batch, seq] bucket, rows reshuffled every epoch by a seeded generator (the
// last incomplete batch of an epoch is dropped; the next shuffle brings those rows back). The
// held-out score is measured before the first step, every `evalEverySteps` and after the last.
// Same inputs and seed on CPU → the same losses and weights, bit for bit.

import { Trainer } from '../../engine/optim/trainer';
import { mergeTrained } from '../../engine/params/binding';
import { Rng } from '../../engine/random';
import type { Runner } from '../../engine/runtime/runner';
import type { HostTensor } from '../../engine/tensor';
import type { ModelConfig } from '../config';
import { causalLmGraph } from './causal-lm-graph';
import { HeldOutEvaluator, type HeldOutScore } from './held-out-eval';
import { languageModelBatch } from './packing';

export interface PretrainRecipe {
  /** Seeds the row order of every epoch. */
  seed: number;
  batchSize: number;
  sequenceLength: number;
  epochs: number;
  learningRate: number;
  warmupSteps: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  clipNorm: number;
  evalEverySteps: number;
  logEverySteps: number;
}

export interface PretrainLogEntry {
  step: number;
  epoch: number;
  lr: number;
  /** Mean training loss over the steps since the previous entry (null for the entry before step 1). */
  trainLoss: number | null;
  gradNorm: number | null;
  heldOutLoss: number | null;
  heldOutPerplexity: number | null;
}

export interface PretrainInput {
  config: ModelConfig;
  initial: ReadonlyMap<string, HostTensor>;
  trainRows: readonly (readonly number[])[];
  heldOutRows: readonly (readonly number[])[];
  padId: number;
  recipe: PretrainRecipe;
  runner: Runner;
  /** Stop after this many steps (smoke runs, tests); the schedule still spans the whole recipe. */
  maxSteps?: number;
  onLog?: (entry: PretrainLogEntry, totalSteps: number) => void;
}

export interface PretrainResult {
  weights: Map<string, HostTensor>;
  log: PretrainLogEntry[];
  steps: number;
  totalSteps: number;
  initialHeldOut: HeldOutScore;
  finalHeldOut: HeldOutScore;
}

export function stepsPerEpoch(rows: number, batchSize: number): number {
  return Math.floor(rows / batchSize);
}

export async function pretrain(input: PretrainInput): Promise<PretrainResult> {
  const { config, initial, recipe: r, runner } = input;
  const shape = { batch: r.batchSize, seq: r.sequenceLength };
  const perEpoch = stepsPerEpoch(input.trainRows.length, r.batchSize);
  if (perEpoch === 0) throw new Error(`${input.trainRows.length} training rows do not fill one batch of ${r.batchSize}`);
  const totalSteps = perEpoch * r.epochs;
  const build = () => causalLmGraph(config, initial, shape, { layout: 'inputs', trainability: () => ({ kind: 'whole' }) });
  const statePrefix = 'pretrain.';
  const trainer = new Trainer({
    runner,
    statePrefix,
    build,
    optimizer: { kind: 'adamw', beta1: r.beta1, beta2: r.beta2, weightDecay: r.weightDecay },
    schedule: { kind: 'linear', lr: r.learningRate, warmupSteps: r.warmupSteps, totalSteps },
    clipNorm: r.clipNorm,
  });
  const evaluator = new HeldOutEvaluator(runner, config, input.heldOutRows, shape, input.padId, statePrefix);
  const log: PretrainLogEntry[] = [];
  const emit = (entry: PretrainLogEntry) => {
    log.push(entry);
    input.onLog?.(entry, totalSteps);
  };
  try {
    await trainer.start('train');
    await evaluator.prepare(initial);
    const initialHeldOut = await evaluator.score();
    emit({ step: 0, epoch: 0, lr: 0, trainLoss: null, gradNorm: null, heldOutLoss: initialHeldOut.loss, heldOutPerplexity: initialHeldOut.perplexity });

    const rng = new Rng(r.seed);
    const limit = Math.min(totalSteps, input.maxSteps ?? Infinity);
    let [lossSum, lossCount, lastHeldOut] = [0, 0, initialHeldOut];
    for (let epoch = 1; trainer.step < limit; epoch++) {
      const order = rng.shuffle(input.trainRows.map((_, i) => i));
      for (let b = 0; b < perEpoch && trainer.step < limit; b++) {
        const rows = order.slice(b * r.batchSize, (b + 1) * r.batchSize).map((i) => input.trainRows[i]!);
        const result = await trainer.trainStep('train', languageModelBatch(config, rows, shape, input.padId));
        if (!Number.isFinite(result.loss)) throw new Error(`training diverged: loss ${result.loss} at step ${result.step}`);
        lossSum += result.loss;
        lossCount++;
        const last = result.step === limit;
        const evaluate = last || result.step % r.evalEverySteps === 0;
        if (!evaluate && result.step % r.logEverySteps !== 0) continue;
        const heldOut = evaluate ? await evaluator.score() : null;
        if (heldOut) lastHeldOut = heldOut;
        emit({
          step: result.step,
          epoch,
          lr: result.lr,
          trainLoss: lossSum / lossCount,
          gradNorm: result.gradNorm ?? null,
          heldOutLoss: heldOut?.loss ?? null,
          heldOutPerplexity: heldOut?.perplexity ?? null,
        });
        [lossSum, lossCount] = [0, 0];
      }
    }
    const values = await trainer.trainedValues();
    const weights = mergeTrained(initial, build().trainables, values);
    return { weights, log, steps: trainer.step, totalSteps, initialHeldOut, finalHeldOut: lastHeldOut };
  } finally {
    await evaluator.dispose();
    await trainer.dispose();
  }
}
