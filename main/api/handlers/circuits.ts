// circuits.*: discovery as a job, the list, one circuit in detail, a hand edit saved as a new
// circuit, and the comparison of two circuits.

import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { compareCircuits } from '../../circuits/compare';
import { saveEditedCircuit } from '../../circuits/edit-circuit';
import type { Workspace } from '../../store/index';
import { estimateDiscoveryFor } from '../../transfer/launch-estimate';
import { ApiError, discoverySettings } from '../contract/index';
import { circuitDetail, circuitRecord, circuitSummary, discoveryFile, gridOf } from '../circuit-views';
import { notFound } from '../error-mapping';
import type { Handlers } from '../handler-types';

function comparable(ws: Workspace, id: number) {
  const c = circuitRecord(ws, id);
  const file = discoveryFile(ws, c);
  return {
    summary: circuitSummary(ws, c),
    heads: c.heads.map(([layer, head]) => ({ layer, head })),
    logitScores: ws.circuits.scores(c.id, 0),
    grid: file ? gridOf(ws, c, file) : null,
  };
}

export const circuitHandlers: Handlers = {
  'circuits.defaults': () => discoverySettings.parse({}),
  'circuits.discover': (ctx, req) => {
    const model = ctx.ws.models.get(req.modelId);
    if (!model) throw notFound(`model ${req.modelId}`);
    const dataset = ctx.ws.datasets.get(req.datasetId);
    if (!dataset) throw notFound(`dataset ${req.datasetId}`);
    if (ctx.ws.examples.search(dataset.id, { language: req.language, split: 'train', offset: 0, limit: 1 }).total === 0) {
      throw new ApiError('rejected', `dataset "${dataset.name}" has no training examples in language "${req.language}" to discover on`);
    }
    const device = req.device === 'auto' ? (ctx.engine.devices.includes('cuda') ? 'cuda' : 'cpu') : req.device;
    if (!ctx.engine.devices.includes(device)) throw new ApiError('unavailable', `this machine cannot run jobs on ${device}: ${ctx.engine.choice.reason}`);
    const { seed, template, ...settings } = req.settings;
    const job = ctx.runner.enqueue({
      kind: 'discover-model',
      name: req.name ?? `${dataset.name} ${req.language} on ${model.name || basename(model.sourcePath)}`,
      modelId: model.id,
      datasetId: dataset.id,
      seed,
      device,
      config: { modelId: model.id, datasetId: dataset.id, language: req.language, settings, ...(template && { template }) },
    });
    return { jobId: job.id };
  },
  'circuits.estimate': (ctx, req) => {
    const model = ctx.ws.models.get(req.modelId);
    if (!model) throw notFound(`model ${req.modelId}`);
    const { meanSize, discoverySize, batchSize, maxLength, maxDepth, sourceScope, attention, fastScreen } = req.settings;
    const settings = { meanSize, discoverySize, batchSize, maxLength, maxDepth, sourceScope, cd: { attention }, fastScreen, threads: availableParallelism() };
    const e = estimateDiscoveryFor(model.sourcePath, settings);
    const f = e.footprint;
    return { peakBytes: f.peakBytes, availableBytes: e.availableBytes, fits: e.fits, iteration0Seconds: f.iteration0Seconds, atMostSeconds: f.atMostSeconds, flopsPerSecond: f.flopsPerSecond };
  },
  'circuits.list': (ctx) => ({ circuits: ctx.ws.circuits.list().map((c) => circuitSummary(ctx.ws, c)) }),
  'circuits.get': (ctx, req) => circuitDetail(ctx.ws, circuitRecord(ctx.ws, req.id)),
  'circuits.saveEdited': (ctx, req) => {
    const base = circuitRecord(ctx.ws, req.baseId);
    const grid = gridOf(ctx.ws, base, discoveryFile(ctx.ws, base));
    const saved = saveEditedCircuit(ctx.ws, { baseId: base.id, heads: req.heads, grid, ...(req.name && { name: req.name }) });
    return circuitSummary(ctx.ws, saved);
  },
  'circuits.compare': (ctx, req) => {
    const a = comparable(ctx.ws, req.a);
    const b = comparable(ctx.ws, req.b);
    return { a: a.summary, b: b.summary, ...compareCircuits(a, b) };
  },
};
