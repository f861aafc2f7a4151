// What an export needs to know about an adapted run, read from the workspace: its checkpoint and the
// one it started from, the registered base model, the task and prompt length it was trained and
// scored with, its evaluations, and the facts its evaluations recorded (method, heads, trainable share).

import type { LoadedModel } from '../models/load';
import type { EvaluationRecord, ModelRecord, RunRecord, Workspace } from '../store/index';
import { competenceRun, requireDone, RunModels } from '../transfer/run-models';
import { transferConfig, type CompetenceConfig, type TaskSpec } from '../transfer/job-configs';
import { methodStart, type TransferMethod } from '../transfer/methods';
import { InputError } from '../transfer/workspace-inputs';

export interface RunSource {
  run: RunRecord;
  /** The competence run this pipeline is anchored in (the run itself for a competence run). */
  competence: { run: RunRecord; config: CompetenceConfig };
  method: TransferMethod | 'competence';
  baseModel: ModelRecord;
  /** What the run started from: the base model, or its competence run's checkpoint. */
  start: { kind: 'base-model'; model: ModelRecord } | { kind: 'competence'; runId: number };
  task: TaskSpec;
  maxLength: number;
  evaluations: EvaluationRecord[];
  /** What training recorded with every evaluation (method, heads, trainableFraction …). */
  facts: Record<string, unknown>;
}

/** A finished competence or transfer run with a stored checkpoint, or an InputError saying why not. */
export function runSource(ws: Workspace, runId: number): RunSource {
  const run = requireDone(ws, runId, 'export');
  if (run.kind !== 'competence' && run.kind !== 'transfer') {
    throw new InputError(`run ${runId} is a ${run.kind} run; only competence and transfer runs hold a trained checkpoint`);
  }
  if (!run.outputBlob) throw new InputError(`run ${runId} has no stored checkpoint`);
  const transfer = run.kind === 'transfer' ? transferConfig.parse(run.config) : undefined;
  const competence = competenceRun(ws, transfer?.competenceRunId ?? run.id);
  const baseModel = ws.models.get(competence.config.modelId);
  if (!baseModel) throw new InputError(`run ${runId}: its base model ${competence.config.modelId} is not in the workspace`);
  const method = transfer?.method ?? 'competence';
  const start: RunSource['start'] =
    transfer && methodStart(transfer.method) === 'competence' ? { kind: 'competence', runId: competence.run.id } : { kind: 'base-model', model: baseModel };
  const evaluations = ws.evaluations.byRun(run.id);
  return {
    run,
    competence,
    method,
    baseModel,
    start,
    task: competence.config.task,
    maxLength: (transfer?.recipe ?? competence.config.recipe).maxLength,
    evaluations,
    facts: { ...(evaluations[0]?.extra ?? {}) },
  };
}

/** The run's trained checkpoint and the checkpoint it started from, rebuilt from the workspace. */
export function runCheckpoints(ws: Workspace, source: RunSource): { adapted: LoadedModel; start: LoadedModel } {
  const models = new RunModels(ws);
  return { adapted: models.of(source.run.id), start: models.start(source.run) };
}

/** The evaluation a verification reproduces: the one asked for, else the run's first (the target's test split). */
export function evaluationToReproduce(source: RunSource, evaluationId?: number): EvaluationRecord {
  const found = evaluationId === undefined ? source.evaluations[0] : source.evaluations.find((e) => e.id === evaluationId);
  if (!found) {
    throw new InputError(
      evaluationId === undefined
        ? `run ${source.run.id} has no stored evaluation to reproduce; evaluate it first (lontar evaluate --run ${source.run.id})`
        : `evaluation ${evaluationId} does not belong to run ${source.run.id}`,
    );
  }
  return found;
}
