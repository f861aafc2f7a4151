// Scores a checkpoint on labelled examples: accuracy, macro-F1, mean cross-entropy over the label
// logits, and every prediction with its label logits (stored per example for review). Examples are
// predicted in order of prompt length so each padded shape is compiled once, then put back in order.

import type { Runner } from '../engine/runtime/runner';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import { Predictor, type Prediction } from '../models/classification/predictor';
import type { ClassificationTask } from '../models/classification/task';
import type { LoadedModel } from '../models/load';
import { accuracy, macroF1 } from './metrics';

export interface EvaluationOptions {
  runner: Runner;
  /** Examples per run (default 32). */
  batchSize?: number;
  /** Longest prompt in tokens (default 128, the paper's). */
  maxLength?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface EvaluationResult {
  count: number;
  accuracy: number;
  macroF1: number;
  /** Mean cross-entropy of the gold label over the label logits. */
  loss: number;
  /** In the order of the examples given. */
  predictions: Prediction[];
}

export async function evaluateExamples(
  model: LoadedModel,
  task: ClassificationTask,
  examples: readonly ClassificationExample[],
  options: EvaluationOptions,
): Promise<EvaluationResult> {
  const unlabelled = examples.find((e) => e.label == null);
  if (unlabelled) throw new Error(`example ${unlabelled.id} has no label; evaluation needs gold labels`);
  const predictor = Predictor.create(model, task, { runner: options.runner, batchSize: options.batchSize ?? 32, maxLength: options.maxLength ?? 128 });
  try {
    const lengths = new Map(examples.map((e) => [e.id, predictor.encoder.tokenize(e).ids.length]));
    const byLength = [...examples].sort((a, b) => lengths.get(a.id)! - lengths.get(b.id)!);
    const predicted = new Map((await predictor.predict(byLength, options.onProgress)).map((p) => [p.id, p]));
    const predictions = examples.map((e) => predicted.get(e.id)!);
    const gold = predictions.map((p) => p.gold!);
    const labels = predictions.map((p) => p.label);
    return { count: predictions.length, accuracy: accuracy(gold, labels), macroF1: macroF1(gold, labels), loss: meanCrossEntropy(task, predictions), predictions };
  } finally {
    await predictor.close();
  }
}

function meanCrossEntropy(task: ClassificationTask, predictions: readonly Prediction[]): number {
  if (predictions.length === 0) return 0;
  let sum = 0;
  for (const p of predictions) {
    const max = Math.max(...p.logits);
    const logZ = max + Math.log(p.logits.reduce((s, x) => s + Math.exp(x - max), 0));
    const gold = task.labels.findIndex((l) => l.name === p.gold);
    sum += logZ - p.logits[gold]!;
  }
  return sum / predictions.length;
}
