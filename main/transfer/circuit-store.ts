// A discovery run's circuit in the workspace: the whole circuit file as the run's output blob (the
// comparison sets, faithfulness and settings stay reproducible from it), and one circuits row per
// depth with every head score of the iterations up to it.

import { circuitFileSchema, type CircuitFile } from '../circuits/circuit-file';
import type { NewCircuit, Workspace } from '../store/index';
import { circuitAtDepth } from './methods';

export const CIRCUIT_MEDIA_TYPE = 'application/vnd.lontar.circuit+json';

export function readCircuitBlob(ws: Workspace, hash: string): CircuitFile {
  return circuitFileSchema.parse(JSON.parse(ws.blobs.read(hash).toString('utf8')));
}

/** The deepest circuit a discovery run stored (the depth its expansion reached), null before it stored any. */
export function storedDepth(ws: Workspace, discoveryRunId: number): number | null {
  const depths = ws.circuits.byRun(discoveryRunId).map((c) => c.depth);
  return depths.length > 0 ? Math.max(...depths) : null;
}

/** The circuits rows of a discovery run: depth d holds the heads of iterations 0..d and their scores. */
export function circuitRows(runId: number, language: string, file: CircuitFile): NewCircuit[] {
  const rank = file.settings.rankBy;
  return file.iterations.map((_, depth) => ({
    runId,
    language,
    selectionRatio: file.settings.selectionRatio,
    depth,
    heads: circuitAtDepth(file, depth).heads.map((h) => [h.layer, h.head] as const),
    scores: file.iterations.slice(0, depth + 1).flatMap((it) => {
      const target = it.targets === 'logits' ? 'logits' : it.targets.map((t) => `L${t.layer}H${t.head}`).join('+');
      const selected = new Set(it.selected.map((h) => `${h.layer}.${h.head}`));
      return it.scores.map((s) => ({ iteration: it.depth, target, layer: s.layer, head: s.head, score: s[rank], selected: selected.has(`${s.layer}.${s.head}`) }));
    }),
  }));
}
