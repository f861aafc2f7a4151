// `evaluate`: scores a run's checkpoint (competence or transfer) or a registered model on whole
// splits of a dataset and stores each evaluation with every prediction. A run's evaluation is stored
// with that run; a model's with this job's own run.

import { defineJobKind } from '../../jobs/types';
import type { Workspace } from '../../store/index';
import { resolveTask } from '../../models/classification/task';
import { evaluateAndStore, evaluationUnits } from '../job-evaluations';
import { evaluateConfig, transferConfig, type TaskSpec } from '../job-configs';
import { JobProgress } from '../job-progress';
import { competenceRun, RunModels } from '../run-models';

export const evaluateKind = defineJobKind({
  kind: 'evaluate',
  description: 'score a run\'s checkpoint or a model on dataset splits, storing every prediction',
  config: evaluateConfig,
  async run(ctx) {
    const c = ctx.config;
    const ws = ctx.workspace();
    const models = new RunModels(ws);
    const model = c.runId !== null ? models.of(c.runId) : models.base(c.modelId!);
    const pipeline = c.runId !== null ? pipelineOfRun(ws, c.runId) : undefined;
    const task = resolveTask(model, pipeline?.task ?? c.task);
    const maxLength = c.maxLength ?? pipeline?.maxLength ?? 128;
    const job = { runId: c.runId ?? ctx.job.runId, datasetId: c.datasetId, targets: c.targets, batchSize: c.evalBatch, maxLength };
    const progress = new JobProgress(ctx, Math.max(1, evaluationUnits(ws, job)));
    const scores = await evaluateAndStore(ctx, { ...job, model, task, extra: { stage: 'evaluation' } }, progress);
    return { summary: Object.fromEntries(scores.map((s) => [`accuracy.${s.language}.${s.split}`, s.accuracy])) };
  },
});

/** How a run was trained: its pipeline's task and the prompt length of its own recipe. */
function pipelineOfRun(ws: Workspace, runId: number): { task: TaskSpec; maxLength: number } {
  const run = ws.runs.get(runId)!; // RunModels.of has checked it is a finished competence or transfer run
  if (run.kind === 'competence') {
    const c = competenceRun(ws, run.id).config;
    return { task: c.task, maxLength: c.recipe.maxLength };
  }
  const t = transferConfig.parse(run.config);
  return { task: competenceRun(ws, t.competenceRunId).config.task, maxLength: t.recipe.maxLength };
}
