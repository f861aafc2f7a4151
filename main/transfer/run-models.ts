// Checkpoints of runs, rebuilt from the workspace: a registered base model folder, overlaid with
// the tensors each training run changed (its output blob holds only those, at full shape). A
// competence run starts from its base model; a transfer run from its competence run, or from the
// base model for direct fine-tuning.

import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { HostTensor } from '../engine/tensor';
import { folderContentHash } from '../models/checkpoint/content-hash';
import { SafetensorsFile } from '../models/checkpoint/safetensors-file';
import { loadModel, type LoadedModel } from '../models/load';
import type { ModelRecord, RunRecord, Workspace } from '../store/index';
import { competenceConfig, pipelineOf, transferConfig, type CompetenceConfig } from './job-configs';
import { methodStart } from './methods';
import type { PipelineData } from './pipeline-data';
import { InputError } from './workspace-inputs';

/** Finds the model folder in the workspace by content hash, or registers it. */
export function registerModel(ws: Workspace, dir: string): ModelRecord {
  const path = resolve(dir);
  const model = loadModel(path); // refuses a broken folder before anything is recorded
  const hash = folderContentHash(path);
  // the same weights: the record of this folder, else of another folder that still holds them (a
  // copy), so a moved or copied model resumes its experiments instead of counting as a new model
  const same = ws.models.byContentHash(hash);
  const known = same.find((m) => m.sourcePath === path) ?? same.find((m) => existsSync(m.sourcePath));
  if (known) return known;
  let name = basename(path);
  for (let k = 2; ws.models.list().some((m) => m.name === name); k++) name = `${basename(path)}-${k}`;
  return ws.models.create({ name, family: model.config.family, sourcePath: path, contentHash: hash, config: { layers: model.config.numLayers, heads: model.config.numHeads } });
}

export function readTensorBlob(ws: Workspace, hash: string): Map<string, HostTensor> {
  const file = SafetensorsFile.open(ws.blobs.pathOf(hash));
  try {
    return new Map(file.names().map((n) => [n, file.read(n)]));
  } finally {
    file.close();
  }
}

/** The competence run a pipeline is anchored in, with its parsed configuration. */
export function competenceRun(ws: Workspace, runId: number): { run: RunRecord; config: CompetenceConfig } {
  const run = ws.runs.get(runId);
  if (!run) throw new InputError(`no run ${runId}`);
  if (run.kind !== 'competence') throw new InputError(`run ${runId} is a ${run.kind} run, not a competence run`);
  return { run, config: competenceConfig.parse(run.config) };
}

/** A finished competence run and the pipeline data it anchors (for the stages that build on it). */
export function finishedPipeline(ws: Workspace, runId: number, what: string): { run: RunRecord; config: CompetenceConfig; data: PipelineData } {
  requireDone(ws, runId, what);
  const anchor = competenceRun(ws, runId);
  return { ...anchor, data: pipelineOf(anchor.config, anchor.run.seed) };
}

export function requireDone(ws: Workspace, runId: number, what: string): RunRecord {
  const run = ws.runs.get(runId);
  if (!run) throw new InputError(`${what}: no run ${runId}`);
  if (run.status !== 'done') throw new InputError(`${what}: run ${runId} is ${run.status}, not done`);
  return run;
}

/** Loads checkpoints of runs and base models, each base folder read once per process. */
export class RunModels {
  private readonly bases = new Map<number, LoadedModel>();

  constructor(private readonly ws: Workspace) {}

  base(modelId: number): LoadedModel {
    let m = this.bases.get(modelId);
    if (!m) {
      const record = this.ws.models.get(modelId);
      if (!record) throw new InputError(`no model ${modelId} in the workspace`);
      m = loadModel(record.sourcePath);
      this.bases.set(modelId, m);
    }
    return m;
  }

  /** The checkpoint a run of kind competence or transfer starts from. */
  start(run: RunRecord): LoadedModel {
    if (run.kind === 'competence') return this.base(competenceConfig.parse(run.config).modelId);
    if (run.kind === 'transfer') {
      const c = transferConfig.parse(run.config);
      const anchor = competenceRun(this.ws, c.competenceRunId);
      return methodStart(c.method) === 'base' ? this.base(anchor.config.modelId) : this.of(c.competenceRunId);
    }
    throw new InputError(`run ${run.id} is a ${run.kind} run; only competence and transfer runs hold checkpoints`);
  }

  /** The checkpoint a finished training run produced. */
  of(runId: number): LoadedModel {
    const run = requireDone(this.ws, runId, 'checkpoint');
    if (!run.outputBlob) throw new InputError(`run ${runId} has no output checkpoint`);
    const start = this.start(run);
    return overlay(start, readTensorBlob(this.ws, run.outputBlob));
  }
}

/** A model with some tensors replaced (untouched tensors are shared, not copied). */
export function overlay(model: LoadedModel, changed: ReadonlyMap<string, HostTensor>): LoadedModel {
  for (const [name, t] of changed) {
    const was = model.weights.get(name);
    if (!was) throw new Error(`stored tensor "${name}" is not part of the model`);
    if (was.shape.join('x') !== t.shape.join('x')) throw new Error(`stored tensor "${name}" has shape [${t.shape}], the model [${was.shape}]`);
  }
  return { ...model, weights: new Map([...model.weights, ...changed]) };
}
