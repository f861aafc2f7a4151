// A hand-edited circuit is saved as a new circuit with its own run (kind `circuit-edit`, child of the
// original's run), so the discovered circuit is never changed and the edit can be traced: the run's
// configuration records the base circuit and the heads added and removed. The head scores are the
// original's (the evidence the person edited against); faithfulness is not re-measured here.

import type { CircuitRecord, Workspace } from '../store/index';
import { headKey, type Head } from './heads';

export const CIRCUIT_EDIT_KIND = 'circuit-edit';

export class CircuitEditError extends Error {
  override name = 'CircuitEditError';
}

export interface CircuitEdit {
  baseId: number;
  heads: readonly Head[];
  name?: string;
  /** The model's grid, to refuse heads that do not exist. */
  grid: { layers: number; heads: number };
}

export function saveEditedCircuit(ws: Workspace, edit: CircuitEdit): CircuitRecord {
  const base = ws.circuits.get(edit.baseId);
  if (!base) throw new CircuitEditError(`no circuit ${edit.baseId}`);
  const outside = edit.heads.filter((h) => h.layer >= edit.grid.layers || h.head >= edit.grid.heads);
  if (outside.length > 0) {
    throw new CircuitEditError(`the model has ${edit.grid.layers} layers × ${edit.grid.heads} heads; ${outside.map(headKey).join(', ')} do not exist`);
  }
  const keys = edit.heads.map(headKey);
  if (new Set(keys).size !== keys.length) throw new CircuitEditError('a head is listed twice');
  const before = new Set(base.heads.map(([layer, head]) => headKey({ layer, head })));
  const added = edit.heads.filter((h) => !before.has(headKey(h)));
  const removed = base.heads.map(([layer, head]) => ({ layer, head })).filter((h) => !keys.includes(headKey(h)));
  if (added.length === 0 && removed.length === 0) throw new CircuitEditError(`these are exactly the heads of circuit ${base.id}; nothing to save`);

  const baseRun = ws.runs.get(base.runId);
  const sorted = [...edit.heads].sort((a, b) => a.layer - b.layer || a.head - b.head);
  return ws.durably(() => {
    const run = ws.runs.create({
      kind: CIRCUIT_EDIT_KIND,
      name: edit.name ?? `${baseRun?.name ?? `circuit ${base.id}`} (edited)`,
      parentRunId: base.runId,
      ...(baseRun?.modelId != null && { modelId: baseRun.modelId }),
      ...(baseRun?.datasetId != null && { datasetId: baseRun.datasetId }),
      config: { baseCircuitId: base.id, added: added.map(headKey), removed: removed.map(headKey) },
      seed: baseRun?.seed ?? 0,
    });
    ws.runs.start(run.id);
    ws.runs.finish(run.id, 'done');
    return ws.circuits.create({
      runId: run.id,
      language: base.language,
      selectionRatio: base.selectionRatio,
      depth: base.depth,
      heads: sorted.map((h) => [h.layer, h.head] as const),
      scores: ws.circuits.scores(base.id),
    });
  });
}
