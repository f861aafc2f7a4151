// Evaluations a job stores: a checkpoint scored on whole splits of the dataset, each evaluation with
// every prediction (example id, predicted label, correct, label logits) for the Review view.
// Idempotent: a resumed job finds the evaluations its earlier attempt stored and does not add them
// twice (the checkpoint is recomputed exactly, so their values are the ones it would store).

import type { JobContext } from '../jobs/types';
import type { ClassificationTask } from '../models/classification/task';
import type { LoadedModel } from '../models/load';
import type { JsonObject, Workspace } from '../store/index';
import { evaluateExamples } from './evaluate';
import type { EvaluationTarget } from './job-configs';
import type { JobProgress } from './job-progress';
import { splitRows, toExample } from './pipeline-data';

export interface EvaluationSummary {
  language: string;
  split: string;
  count: number;
  accuracy: number;
  macroF1: number;
}

export interface EvaluationJob {
  /** The run whose checkpoint this is (evaluations are stored with it). */
  runId: number;
  datasetId: number;
  model: LoadedModel;
  task: ClassificationTask;
  targets: readonly EvaluationTarget[];
  batchSize: number;
  maxLength: number;
  /** Stored with every evaluation (method, trainable fraction, wall time ...). */
  extra: JsonObject;
}

/** Progress units of an evaluation job: one per batch of every target not yet stored. */
export function evaluationUnits(ws: Workspace, job: Omit<EvaluationJob, 'model' | 'task' | 'extra'>): number {
  return pending(ws, job).reduce((s, t) => s + Math.ceil(splitRows(ws, job.datasetId, t.language, t.split).length / job.batchSize), 0);
}

function pending(ws: Workspace, job: Pick<EvaluationJob, 'runId' | 'datasetId' | 'targets'>): EvaluationTarget[] {
  const stored = ws.evaluations.byRun(job.runId).filter((e) => e.datasetId === job.datasetId);
  return job.targets.filter((t) => !stored.some((e) => e.language === t.language && e.split === t.split));
}

export async function evaluateAndStore(ctx: JobContext<unknown>, job: EvaluationJob, progress?: JobProgress): Promise<EvaluationSummary[]> {
  const ws = ctx.workspace();
  const todo = new Set(pending(ws, job));
  const out: EvaluationSummary[] = [];
  for (const target of job.targets) {
    if (!todo.has(target)) {
      const e = ws.evaluations.byRun(job.runId).find((x) => x.datasetId === job.datasetId && x.language === target.language && x.split === target.split)!;
      out.push({ language: e.language, split: e.split, count: e.count, accuracy: e.accuracy ?? NaN, macroF1: e.macroF1 ?? NaN });
      continue;
    }
    const rows = splitRows(ws, job.datasetId, target.language, target.split);
    const result = await evaluateExamples(job.model, job.task, rows.map(toExample), {
      runner: ctx.runner,
      batchSize: job.batchSize,
      maxLength: job.maxLength,
      onProgress: () => progress?.tick(),
    });
    await progress?.checkpoint();
    await ctx.store.evaluations.create({
      runId: job.runId,
      datasetId: job.datasetId,
      language: target.language,
      split: target.split,
      accuracy: result.accuracy,
      macroF1: result.macroF1,
      loss: result.loss,
      extra: { ...job.extra, evaluatedBy: ctx.job.runId },
      predictions: result.predictions.map((p) => ({
        exampleId: Number(p.id),
        predicted: p.label,
        correct: p.label === p.gold,
        scores: Object.fromEntries(job.task.labels.map((l, i) => [l.name, p.logits[i]!])),
      })),
    });
    out.push({ language: target.language, split: target.split, count: result.count, accuracy: result.accuracy, macroF1: result.macroF1 });
  }
  return out;
}
