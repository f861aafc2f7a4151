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

/**
 * The part of a spec that decides results. Threads, checkpoint spacing and monitoring do not; nor do
 * the model and data paths: the run records the model and dataset by id (content), so an experiment
 * resumes from a moved or copied folder holding the same files.
 */
export function experimentIdentity(spec: ExperimentSpec | JsonObject): JsonObject {
  const { threads: _t, checkpointEvery: _c, monitor: _m, model: _model, data: _data, dataset: _dataset, ...rest } = spec;
  return JSON.parse(JSON.stringify(rest)) as JsonObject;
}

const sameIdentity = (a: JsonObject, b: JsonObject) => JSON.stringify(experimentIdentity(a)) === JSON.stringify(experimentIdentity(b));

export function findExperimentRun(ws: Workspace, name: string): RunRecord | undefined {
  return ws.runs.list({ kind: 'experiment' }).findLast((r) => r.name === name);
}

/** `modelId`: the model `spec.model` is already registered as (spares loading and hashing its weights). */
export async function prepareExperiment(ws: Workspace, spec: ExperimentSpec, known: { modelId?: number } = {}): Promise<PreparedExperiment> {
  const languages = [spec.source, ...spec.targets.filter((t) => t !== spec.source)];
  const dataset = obtainDataset(ws, spec, languages);
  let modelId = known.modelId ?? registerModel(ws, spec.model).id;
  let run = findExperimentRun(ws, spec.name);
  // a resumed experiment keeps the model record it started with while the weights are the same
  const started = run && Number(run.config['modelId']);
  if (started && started !== modelId && ws.models.get(started)?.contentHash === ws.models.get(modelId)?.contentHash) modelId = started;

  const identity = { ...experimentIdentity(spec), datasetId: dataset.id, modelId };
  if (run && !sameIdentity(run.config, identity)) {
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
