// Circuits as the UI sees them: a summary with its run's model and dataset, and the detail view —
// every head score grouped by iteration, plus what the discovery run's circuit file adds
// (settings, example counts, comparison sets, faithfulness per depth, the fast screen).

import { expansionOf, type CircuitFile } from '../circuits/circuit-file';
import { layerProfile } from '../circuits/layer-profile';
import { readCircuitBlob } from '../transfer/circuit-store';
import type { CircuitRecord, Workspace } from '../store/index';
import type { CircuitDetail, CircuitSummary } from './contract/index';
import { notFound } from './error-mapping';

export function circuitRecord(ws: Workspace, id: number): CircuitRecord {
  const c = ws.circuits.get(id);
  if (!c) throw notFound(`circuit ${id}`);
  return c;
}

export function circuitSummary(ws: Workspace, c: CircuitRecord): CircuitSummary {
  const run = ws.runs.get(c.runId);
  const model = run?.modelId != null ? ws.models.get(run.modelId) : undefined;
  const dataset = run?.datasetId != null ? ws.datasets.get(run.datasetId) : undefined;
  const baseId = run?.config['baseCircuitId'];
  // A discovery run keeps one circuit per depth; the depth tells them apart.
  const perDepth = ws.circuits.byRun(c.runId).length > 1;
  return {
    id: c.id,
    runId: c.runId,
    name: `${run?.name ?? `circuit ${c.id}`}${perDepth ? ` · depth ${c.depth}` : ''}`,
    modelId: model?.id ?? null,
    modelName: model?.name ?? null,
    datasetId: dataset?.id ?? null,
    datasetName: dataset?.name ?? null,
    language: c.language,
    selectionRatio: c.selectionRatio,
    depth: c.depth,
    heads: c.heads.map(([layer, head]) => ({ layer, head })),
    editedFrom: typeof baseId === 'number' ? baseId : null,
    createdAt: c.createdAt,
  };
}

/** The circuit file of the discovery run behind a circuit (an edited circuit's original run). */
export function discoveryFile(ws: Workspace, c: CircuitRecord): CircuitFile | null {
  for (let run = ws.runs.get(c.runId); run; run = run.parentRunId != null ? ws.runs.get(run.parentRunId) : undefined) {
    if (run.outputBlob) return readCircuitBlob(ws, run.outputBlob);
  }
  return null;
}

export function gridOf(ws: Workspace, c: CircuitRecord, file: CircuitFile | null): { layers: number; heads: number } {
  if (file) return { layers: file.model.layers, heads: file.model.heads };
  const scores = ws.circuits.scores(c.id);
  const all = [...scores, ...c.heads.map(([layer, head]) => ({ layer, head }))];
  return { layers: Math.max(0, ...all.map((s) => s.layer)) + 1, heads: Math.max(0, ...all.map((s) => s.head)) + 1 };
}

export function circuitDetail(ws: Workspace, c: CircuitRecord): CircuitDetail {
  const file = discoveryFile(ws, c);
  const iterations = new Map<number, CircuitDetail['iterations'][number]>();
  for (const s of ws.circuits.scores(c.id)) {
    const it = iterations.get(s.iteration) ?? iterations.set(s.iteration, { iteration: s.iteration, target: s.target, scores: [] }).get(s.iteration)!;
    it.scores.push({ layer: s.layer, head: s.head, score: s.score, selected: s.selected });
  }
  const sorted = [...iterations.values()].sort((a, b) => a.iteration - b.iteration);
  return {
    circuit: circuitSummary(ws, c),
    grid: gridOf(ws, c, file),
    iterations: sorted,
    layerProfile: sorted.flatMap((it) => layerProfile(it.iteration, it.scores)),
    discovery: file && {
      settings: file.settings,
      examples: {
        mean: file.examples.mean.length,
        discovery: file.examples.discovery.length,
        pool: file.examples.pool,
        validation: file.examples.validation,
        overlapping: file.examples.overlapping,
      },
      comparisons: file.comparisons,
      faithfulness: file.faithfulness,
      fastScreen: file.fastScreen && { spearmanWithCdt: file.fastScreen.spearmanWithCdt, seconds: file.fastScreen.seconds },
      expansion: expansionOf(file),
      timings: file.timings,
    },
  };
}
