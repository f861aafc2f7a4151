// The body shared by the competence and transfer jobs: fine-tune a starting checkpoint within a
// scope (resumable through the job's checkpoints), store the tensors the run changed as its output,
// then score the new checkpoint on whole splits and store every prediction. Wall time is measured
// around the training loop of this attempt; a resumed attempt reports its own pace scaled to all steps.

import { runTrainingLoop } from '../jobs/training-loop';
import type { JobContext, JobResult } from '../jobs/types';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import type { ClassificationTask } from '../models/classification/task';
import type { LoadedModel } from '../models/load';
import { FineTuning } from './fine-tune';
import { evaluateAndStore, evaluationUnits } from './job-evaluations';
import type { EvaluationTarget } from './job-configs';
import { JobProgress } from './job-progress';
import { monitorExamples, TrainingMonitor, type MonitorTarget } from './monitor';
import { describeRecipe, type Recipe } from './recipe';
import { overlay } from './run-models';
import type { TrainableScope } from './trainable-scope';

export interface TrainAndEvaluate {
  start: LoadedModel;
  task: ClassificationTask;
  examples: readonly ClassificationExample[];
  recipe: Recipe;
  scope: TrainableScope;
  datasetId: number;
  targets: readonly EvaluationTarget[];
  evalBatch: number;
  /** Written into the output blob's metadata and every evaluation's extra. */
  describe: Record<string, string | number>;
  /** Score a validation sample while training (the accuracy curve); changes no weight. */
  monitor?: MonitorTarget;
}

export const WEIGHTS_FORMAT = 'lontar.changed-tensors';

export async function trainAndEvaluate(ctx: JobContext<unknown>, job: TrainAndEvaluate): Promise<JobResult> {
  const ft = await FineTuning.prepare({ model: job.start, task: job.task, examples: job.examples, recipe: job.recipe, scope: job.scope, seed: ctx.seed, runner: ctx.runner });
  const evaluation = { runId: ctx.job.runId, datasetId: job.datasetId, targets: job.targets, batchSize: job.evalBatch, maxLength: job.recipe.maxLength };
  const progress = new JobProgress(ctx, ft.steps + evaluationUnits(ctx.workspace(), evaluation));
  const resumedAt = ctx.checkpoints.resumeFrom?.step ?? 0;
  ctx.log(`training ${job.examples.length} examples, ${ft.steps} steps (${describeRecipe(job.recipe)}), ${job.scope.trainable} of ${job.scope.total} parameters trainable`);

  const monitored = job.monitor && monitorExamples(ctx.workspace(), job.monitor);
  if (typeof monitored === 'string') ctx.log(monitored);
  const monitor = Array.isArray(monitored)
    ? new TrainingMonitor({ ft, runner: ctx.runner, start: job.start, task: job.task, examples: monitored, settings: job.monitor!.settings, trainExamples: job.examples.length, batchSize: job.recipe.batchSize, evalBatch: job.evalBatch, maxLength: job.recipe.maxLength })
    : undefined;

  const t0 = performance.now();
  const last = await runTrainingLoop(progress.training(0), ft.trainer, {
    steps: ft.steps,
    bucket: ft.bucket,
    batch: (step) => ft.batch(step),
    stepsPerRun: 'auto',
    ...(monitor && { observe: monitor }),
  });
  const seconds = (performance.now() - t0) / 1000 - (monitor?.seconds ?? 0);
  const changed = await ft.changedTensors();
  await ft.dispose();
  // Unknown when an earlier attempt finished every step and was stopped before it could evaluate.
  const secondsPerStep = ft.steps > resumedAt ? seconds / (ft.steps - resumedAt) : null;

  // The checkpoint names the examples it was trained on (database ids), so its data can be audited.
  const trainExamples = JSON.stringify(job.examples.map((e) => Number(e.id)));
  const outputBlob = await ctx.saveTensors(Object.fromEntries(changed), {
    format: WEIGHTS_FORMAT,
    seed: String(ctx.seed),
    trainExamples,
    ...Object.fromEntries(Object.entries(job.describe).map(([k, v]) => [k, String(v)])),
  });
  const facts = {
    ...job.describe,
    trainable: job.scope.trainable,
    totalParameters: job.scope.total,
    trainableFraction: job.scope.fraction,
    steps: ft.steps,
    trainExamples: job.examples.length,
    trainSeconds: secondsPerStep === null ? null : secondsPerStep * ft.steps,
    secondsPerStep,
    resumedAtStep: resumedAt,
    ...(last && { finalLoss: last.loss }),
  };
  const model = overlay(job.start, changed);
  const scores = await evaluateAndStore(ctx, { ...evaluation, model, task: job.task, extra: facts }, progress);
  const summary = { ...facts, trainExamples: JSON.parse(trainExamples) as number[], ...Object.fromEntries(scores.map((s) => [`accuracy.${s.language}.${s.split}`, s.accuracy])) };
  return { outputBlob, summary };
}
