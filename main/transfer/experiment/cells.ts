// An experiment's grid as cells, one job each, in the order they run: per seed, competence tuning,
// then discovery (when a head method needs a circuit), then every transfer. Depth applies to head
// methods only; full, direct and norms run once per (target, n, seed). A cell's key names its run
// (`<experiment>/<key>`), which is how a re-run finds what is already done.

import type { JsonObject } from '../../store/index';
import type { CompetenceConfig, DiscoveryConfig, EvaluationTarget, TransferConfig } from '../job-configs';
import { isHeadMethod, type TransferMethod } from '../methods';
import type { ExperimentSpec } from './experiment-file';

export type CellKind = 'competence' | 'discover' | 'transfer';

export interface Cell {
  key: string;
  kind: CellKind;
  seed: number;
  /** Keys of the cells whose runs this one reads. */
  needs: string[];
  /** The job configuration, given the run ids of the cells it needs. */
  config(runOf: (key: string) => number): JsonObject;
  target?: string;
  n?: number;
  method?: TransferMethod;
  depth?: number;
}

export const competenceKey = (seed: number) => `seed${seed}/competence`;
export const discoveryKey = (seed: number) => `seed${seed}/discover`;
export const transferKey = (seed: number, target: string, n: number, method: TransferMethod, depth?: number) =>
  `seed${seed}/${target}/n${n}/${method}${depth === undefined ? '' : `/d${depth}`}`;

export function experimentCells(spec: ExperimentSpec, datasetId: number, modelId: number): Cell[] {
  const needsCircuit = spec.methods.some(isHeadMethod);
  const maxDepth = Math.max(...spec.depth);
  const evaluateCompetence: EvaluationTarget[] = [spec.source, ...spec.targets.filter((t) => t !== spec.source)].flatMap((language) => [
    { language, split: 'test' as const },
    { language, split: 'valid' as const },
  ]);
  const cells: Cell[] = [];
  for (const seed of spec.seeds) {
    const competence = competenceKey(seed);
    cells.push({
      key: competence,
      kind: 'competence',
      seed,
      needs: [],
      config: () =>
        ({
          modelId,
          datasetId,
          source: spec.source,
          nSrc: spec.nSrc,
          pools: spec.pools,
          poolSeed: seed,
          task: spec.task,
          recipe: spec.competenceRecipe ?? spec.recipe,
          evaluate: evaluateCompetence,
          evalBatch: spec.evalBatch,
          ...(spec.monitor && { monitor: spec.monitor }),
        }) satisfies CompetenceConfig as JsonObject,
    });
    if (needsCircuit) {
      cells.push({
        key: discoveryKey(seed),
        kind: 'discover',
        seed,
        needs: [competence],
        config: (runOf) => ({ ...spec.discovery, competenceRunId: runOf(competence), depth: maxDepth }) satisfies DiscoveryConfig as JsonObject,
      });
    }
    for (const target of spec.targets) {
      for (const n of spec.n) {
        for (const method of spec.methods) {
          for (const depth of isHeadMethod(method) ? spec.depth : [undefined]) {
            const needs = depth === undefined ? [competence] : [competence, discoveryKey(seed)];
            cells.push({
              key: transferKey(seed, target, n, method, depth),
              kind: 'transfer',
              seed,
              needs,
              target,
              n,
              method,
              ...(depth !== undefined && { depth }),
              config: (runOf) =>
                ({
                  competenceRunId: runOf(competence),
                  discoveryRunId: depth === undefined ? null : runOf(discoveryKey(seed)),
                  method,
                  target,
                  n,
                  depth: depth ?? 0,
                  kv: spec.kv,
                  recipe: spec.recipe,
                  evalBatch: spec.evalBatch,
                  ...(spec.monitor && { monitor: spec.monitor }),
                }) satisfies Omit<TransferConfig, 'evaluate'> as JsonObject,
            });
          }
        }
      }
    }
  }
  return cells;
}
