// `transfer` (stage 2): one method on n target-language examples drawn label-balanced from the
// target's Pool B, starting from the competence checkpoint (or the base model for direct FT), under
// the pipeline's recipe; then scored on the target's test and validation splits and the source's test
// split (retention: forgetting = competence accuracy − this).

import { defineJobKind } from '../../jobs/types';
import { resolveTask } from '../../models/classification/task';
import { readCircuitBlob } from '../circuit-store';
import { assertHeldOut, assertTrainingRows, assertWithin, isParallel } from '../data-protocol';
import { discoveryConfig, transferConfig } from '../job-configs';
import { circuitAtDepth, isHeadMethod, methodScope, methodStart } from '../methods';
import { obtainPoolSplit, poolRows, sampleRows, toExample } from '../pipeline-data';
import { finishedPipeline, requireDone, RunModels } from '../run-models';
import { trainAndEvaluate } from '../train-and-evaluate';
import { trainableScope } from '../trainable-scope';

export const transferKind = defineJobKind({
  kind: 'transfer',
  description: 'stage 2: CT-SFT or a baseline on n target-language examples from Pool B, then evaluation and forgetting',
  config: transferConfig,
  async run(ctx) {
    const c = ctx.config;
    const ws = ctx.workspace();
    const anchor = finishedPipeline(ws, c.competenceRunId, 'transfer');
    const data = anchor.data;
    const create = (p: Parameters<typeof ctx.store.pools.create>[0]) => ctx.store.pools.create(p);
    const source = poolRows(ws, await obtainPoolSplit(ws, create, data, data.source));
    const target = poolRows(ws, await obtainPoolSplit(ws, create, data, c.target));
    const rows = sampleRows(target.tuning, c.n, ctx.seed, `${c.target} tuning set`);
    assertTrainingRows('tuning set', rows);
    assertWithin('tuning set', rows.map((r) => r.id), target.tuning, `the ${c.target} held-out tuning pool (Pool B)`);
    const parallel = isParallel([...source.discovery, ...source.tuning], [...target.discovery, ...target.tuning]);
    assertHeldOut(rows, source.discovery, parallel && c.target !== data.source);

    let circuit;
    if (isHeadMethod(c.method)) {
      const discovery = requireDone(ws, c.discoveryRunId!, 'transfer');
      if (discovery.kind !== 'discover' || discoveryConfig.parse(discovery.config).competenceRunId !== c.competenceRunId) {
        throw new Error(`run ${discovery.id} is not a discovery on competence run ${c.competenceRunId}`);
      }
      circuit = { file: readCircuitBlob(ws, discovery.outputBlob!), depth: c.depth };
    }
    const models = new RunModels(ws);
    const start = methodStart(c.method) === 'base' ? models.base(anchor.config.modelId) : models.of(c.competenceRunId);
    const spec = methodScope(start.config, c.method, c.kv, circuit);
    const scope = trainableScope(start.config, start.weights, spec);
    const heads = spec.kind === 'heads' ? spec.heads.map((h) => `${h.layer}.${h.head}`).join(' ') : '';
    return trainAndEvaluate(ctx, {
      start,
      task: resolveTask(start, anchor.config.task),
      examples: rows.map(toExample),
      recipe: c.recipe,
      scope,
      datasetId: data.datasetId,
      targets: c.evaluate ?? [
        { language: c.target, split: 'test' },
        { language: c.target, split: 'valid' },
        { language: data.source, split: 'test' },
      ],
      evalBatch: c.evalBatch,
      ...(c.monitor && { monitor: { settings: c.monitor, language: c.target, datasetId: data.datasetId } }),
      describe: {
        stage: 'transfer',
        method: c.method,
        source: data.source,
        target: c.target,
        n: c.n,
        ...(circuit && { depth: circuitAtDepth(circuit.file, c.depth).depth, heads, kv: c.kv }),
      },
    });
  },
});
