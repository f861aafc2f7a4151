// What an experiment needs in the workspace before any job runs, done by the owning process: the
// dataset (imported once, only the languages the grid uses), the base model (registered by content
// hash), the experiment's own run (its grid, refused if the same name already means another grid),
// and every pool split (source and targets, one per seed) so all jobs read the same pools.

import type { DatasetRecord, JsonObject, RunRecord, Workspace } from '../../store/index';
import { obtainPoolSplit } from '../pipeline-data';
import { registerModel } from '../run-models';
import { obtainDataset } from '../workspace-inputs';
import { ExperimentFileError, type ExperimentSpec } from './experiment-file';

export interface PreparedExperiment {
  spec: ExperimentSpec;
  dataset: DatasetRecord;
  modelId: number;
  run: RunRecord;
}

/** The part of a spec that decides results (threads, checkpoint spacing and monitoring do not). */
export function experimentIdentity(spec: ExperimentSpec): JsonObject {
  const { threads: _threads, checkpointEvery: _every, monitor: _monitor, ...rest } = spec;
  return JSON.parse(JSON.stringify(rest)) as JsonObject;
}

export function findExperimentRun(ws: Workspace, name: string): RunRecord | undefined {
  return ws.runs.list({ kind: 'experiment' }).findLast((r) => r.name === name);
}

/** `modelId`: the model `spec.model` is already registered as (spares loading and hashing its weights). */
export async function prepareExperiment(ws: Workspace, spec: ExperimentSpec, known: { modelId?: number } = {}): Promise<PreparedExperiment> {
  const languages = [spec.source, ...spec.targets.filter((t) => t !== spec.source)];
  const dataset = obtainDataset(ws, spec, languages);
  const modelId = known.modelId ?? registerModel(ws, spec.model).id;

  const identity = { ...experimentIdentity(spec), datasetId: dataset.id, modelId };
  let run = findExperimentRun(ws, spec.name);
  if (run && JSON.stringify(run.config) !== JSON.stringify(identity)) {
    throw new ExperimentFileError(`experiment "${spec.name}" already exists in this workspace with a different grid or recipe; give this one another name`);
  }
  run ??= ws.runs.create({ kind: 'experiment', name: spec.name, config: identity, seed: spec.seeds[0]!, modelId, datasetId: dataset.id });

  for (const seed of spec.seeds) {
    for (const language of languages) {
      await obtainPoolSplit(ws, (p) => ws.pools.create(p), { datasetId: dataset.id, source: spec.source, poolSeed: seed, pools: spec.pools }, language);
    }
  }
  return { spec, dataset, modelId, run };
}
