// `discover`: CD-T circuit discovery on a competence checkpoint, over the source language's Pool A
// (M and D are drawn from it; faithfulness is measured on the source's validation split). Stores the
// circuit file as the run's output and one circuits row per depth.

import { DEFAULT_DISCOVERY, runDiscovery } from '../../circuits/run-discovery';
import { defineJobKind } from '../../jobs/types';
import { resolveTask } from '../../models/classification/task';
import { CIRCUIT_MEDIA_TYPE, circuitRows } from '../circuit-store';
import { assertWithin } from '../data-protocol';
import { discoveryConfig } from '../job-configs';
import { JobProgress } from '../job-progress';
import { obtainPoolSplit, poolRows, splitRows, toExample } from '../pipeline-data';
import { finishedPipeline, RunModels } from '../run-models';

/** Discovery reports phases (predicting, scoring per depth); each is one slice of the bar. */
const SLICE = 100;

export const discoverKind = defineJobKind({
  kind: 'discover',
  description: 'find the circuit (CD-T) of a competence checkpoint on the source language\'s Pool A',
  config: discoveryConfig,
  async run(ctx) {
    const c = ctx.config;
    const ws = ctx.workspace();
    const anchor = finishedPipeline(ws, c.competenceRunId, 'discovery');
    const data = anchor.data;
    const poolA = poolRows(ws, await obtainPoolSplit(ws, (p) => ctx.store.pools.create(p), data, data.source)).discovery;
    const validation = splitRows(ws, data.datasetId, data.source, 'valid').map(toExample);
    const model = new RunModels(ws).of(c.competenceRunId);

    const phases = ['predicting the pool', ...Array.from({ length: c.depth + 1 }, (_, d) => `scoring heads (depth ${d})`)];
    const progress = new JobProgress(ctx, SLICE * phases.length);
    const file = await runDiscovery(
      model,
      resolveTask(model, anchor.config.task),
      { pool: poolA.map(toExample), validation },
      {
        ...DEFAULT_DISCOVERY,
        seed: ctx.seed,
        selectionRatio: c.selectionRatio,
        maxDepth: c.depth,
        meanSize: c.meanSize,
        discoverySize: c.discoverySize,
        rankBy: c.rankBy,
        cd: { ...DEFAULT_DISCOVERY.cd, attention: c.attention, signCleanup: c.signCleanup },
        sourceScope: c.sourceScope,
        batchSize: c.batchSize,
        maxLength: anchor.config.recipe.maxLength,
        fastScreen: c.fastScreen,
        runner: ctx.runner,
      },
      (phase, done, total) => {
        const at = Math.max(0, phases.indexOf(phase)) * SLICE + Math.floor((SLICE * done) / total);
        if (at > progress.position) progress.tick(at - progress.position);
      },
    );
    progress.tick(progress.total - progress.position); // depths never scored when expansion stopped early
    await progress.checkpoint();
    ctx.log(file.expansion!.reason);
    assertWithin('mean set M', file.examples.mean, poolA, 'Pool A');
    assertWithin('discovery set D', file.examples.discovery, poolA, 'Pool A');

    const outputBlob = await ctx.saveBlob(`${JSON.stringify(file, null, 2)}\n`, CIRCUIT_MEDIA_TYPE);
    const stored = new Set(ws.circuits.byRun(ctx.job.runId).map((r) => r.depth)); // a resumed attempt adds only what is missing
    for (const row of circuitRows(ctx.job.runId, data.source, file)) if (!stored.has(row.depth)) await ctx.store.circuits.create(row);
    const heads = (hs: readonly { layer: number; head: number }[]) => hs.map((h) => `${h.layer}.${h.head}`).join(' ');
    return {
      outputBlob,
      summary: {
        circuit: heads(file.circuit),
        depthReached: file.expansion!.reached,
        expansion: file.expansion!.reason,
        perIteration: file.settings.perIteration,
        ...Object.fromEntries((file.faithfulness?.circuits ?? []).map((f) => [`faithfulness.${f.name}`, f.accuracyFaithfulness])),
        ...(file.faithfulness?.randomNull && { 'faithfulness.random sets mean': file.faithfulness.randomNull.accuracyFaithfulness.mean, 'faithfulness.p vs random sets': file.faithfulness.randomNull.pAccuracy }),
      },
    };
  },
});
