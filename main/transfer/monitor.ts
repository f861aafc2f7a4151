// Held-out accuracy while a run trains (the accuracy curve of the workbench's Transfer view): every
// `everySteps` steps (0: at the end of every epoch) and at the last step, the current weights score
// the first `examples` rows of a validation split. It only reads the trainer's state and predicts
// under its own state names, so a monitored run ends with exactly the weights of an unmonitored one.

import type { Runner } from '../engine/runtime/runner';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import type { ClassificationTask } from '../models/classification/task';
import type { LoadedModel } from '../models/load';
import type { Workspace } from '../store/index';
import { evaluateExamples } from './evaluate';
import type { MonitorSettings } from './job-configs';
import type { FineTuning } from './fine-tune';
import { toExample } from './pipeline-data';
import { stepsPerEpoch } from './recipe';
import { overlay } from './run-models';

/** The metric a monitored run records (and shows in its progress). */
export const MONITOR_METRIC = 'val_accuracy';

export interface MonitorTarget {
  settings: MonitorSettings;
  /** The language whose validation split is scored (the run's target; the source for competence). */
  language: string;
  datasetId: number;
}

/** The validation rows scored, or null (with the reason) when the split has none. */
export function monitorExamples(ws: Workspace, target: MonitorTarget): ClassificationExample[] | string {
  const rows = ws.examples.list(target.datasetId, { language: target.language, split: 'valid' });
  if (rows.length === 0) return `no ${target.language} validation examples: training accuracy is not monitored`;
  return rows.slice(0, target.settings.examples).map(toExample);
}

export interface MonitorRun {
  ft: FineTuning;
  runner: Runner;
  start: LoadedModel;
  task: ClassificationTask;
  examples: readonly ClassificationExample[];
  settings: MonitorSettings;
  trainExamples: number;
  batchSize: number;
  evalBatch: number;
  maxLength: number;
}

/** The training loop's `observe`, and the time it spent (left out of the run's training time). */
export class TrainingMonitor {
  seconds = 0;
  private readonly every: number;

  constructor(private readonly m: MonitorRun) {
    this.every = m.settings.everySteps > 0 ? m.settings.everySteps : stepsPerEpoch(m.trainExamples, m.batchSize);
  }

  readonly at = (step: number): boolean => step % this.every === 0 || step === this.m.ft.steps;

  readonly measure = async (): Promise<Record<string, number>> => {
    const { m } = this;
    const t0 = performance.now();
    const current = overlay(m.start, await m.ft.changedTensors());
    const scored = await evaluateExamples(current, m.task, m.examples, { runner: m.runner, batchSize: m.evalBatch, maxLength: m.maxLength });
    this.seconds += (performance.now() - t0) / 1000;
    return { [MONITOR_METRIC]: scored.accuracy };
  };
}
