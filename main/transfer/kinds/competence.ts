// `competence` (stage 1): full fine-tuning of the base model on n_src proxy-language examples drawn
// label-balanced from the source language's Pool A; then the checkpoint is scored (by default on the
// source's test and validation splits; an experiment adds each target's, giving A0, the zero-shot
// transfer accuracy that indicates how hard a target is).

import { defineJobKind } from '../../jobs/types';
import { resolveTask } from '../../models/classification/task';
import { assertTrainingRows, assertWithin } from '../data-protocol';
import { competenceConfig, pipelineOf } from '../job-configs';
import { obtainPoolSplit, poolRows, sampleRows, toExample } from '../pipeline-data';
import { RunModels } from '../run-models';
import { trainAndEvaluate } from '../train-and-evaluate';
import { trainableScope } from '../trainable-scope';

export const competenceKind = defineJobKind({
  kind: 'competence',
  description: 'stage 1: full fine-tuning of the base model on n_src source-language examples from Pool A',
  config: competenceConfig,
  async run(ctx) {
    const c = ctx.config;
    const ws = ctx.workspace();
    const data = pipelineOf(c, ctx.seed);
    const split = await obtainPoolSplit(ws, (p) => ctx.store.pools.create(p), data, c.source);
    const poolA = poolRows(ws, split).discovery;
    const rows = sampleRows(poolA, c.nSrc, ctx.seed, 'competence set');
    assertTrainingRows('competence set', rows);
    assertWithin('competence set', rows.map((r) => r.id), poolA, `the ${c.source} discovery pool (Pool A)`);

    const base = new RunModels(ws).base(c.modelId);
    return trainAndEvaluate(ctx, {
      start: base,
      task: resolveTask(base, c.task),
      examples: rows.map(toExample),
      recipe: c.recipe,
      scope: trainableScope(base.config, base.weights, { kind: 'all' }),
      datasetId: c.datasetId,
      targets: c.evaluate ?? [
        { language: c.source, split: 'test' },
        { language: c.source, split: 'valid' },
      ],
      evalBatch: c.evalBatch,
      describe: { stage: 'competence', method: 'competence', source: c.source, nSrc: c.nSrc },
      ...(c.monitor && { monitor: { settings: c.monitor, language: c.source, datasetId: c.datasetId } }),
    });
  },
});
