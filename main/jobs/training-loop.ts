// The step loop every training kind shares: resume the trainer from the job's checkpoint, run the
// remaining steps with batches that depend only on the step, record metrics, checkpoint on the
// interval (and once more when asked to stop), and report progress, which is also where a cancel
// or stop takes effect. Batches being a function of the step is what makes a resumed run equal an
// uninterrupted one.

import type { StepResult, Trainer } from '../engine/optim/trainer';
import type { HostTensor } from '../engine/tensor';
import { JobStoppedError, type JobContext } from './types';

export interface TrainingLoopOptions {
  /** Total optimizer steps of the run. */
  steps: number;
  /** Shape bucket of every batch (the trainer must already be started on it). */
  bucket: string;
  /** The batch of 1-based step `step`: a pure function of the step (and the run's seed). */
  batch: (step: number) => Record<string, HostTensor>;
  /** Extra metrics after a step (e.g. accuracy every few steps); shown in progress too. */
  afterStep?: (result: StepResult) => Promise<Record<string, number> | undefined>;
}

/** Runs the loop to the last step; returns the final step's result (undefined if none were left). */
export async function runTrainingLoop(ctx: JobContext<unknown>, trainer: Trainer, opts: TrainingLoopOptions): Promise<StepResult | undefined> {
  const resume = ctx.checkpoints.resumeFrom;
  if (resume) await trainer.restore({ step: resume.step, tensors: resume.tensors });
  const save = async () => {
    const cp = await trainer.checkpoint();
    await ctx.checkpoints.save({ step: cp.step, tensors: cp.tensors, state: {} });
  };
  let last: StepResult | undefined;
  let shown: Record<string, number> = {};
  while (trainer.step < opts.steps) {
    const result = await trainer.trainStep(opts.bucket, opts.batch(trainer.step + 1));
    const extra = (await opts.afterStep?.(result)) ?? {};
    shown = { ...shown, ...extra };
    ctx.metrics(result.step, { loss: result.loss, lr: result.lr, ...(result.gradNorm !== undefined && { grad_norm: result.gradNorm }), ...extra });
    if (ctx.checkpoints.due(result.step) && result.step < opts.steps) await save();
    last = result;
    try {
      await ctx.progress({ step: result.step, total: opts.steps, loss: result.loss, ...(Object.keys(shown).length > 0 && { metrics: shown }) });
    } catch (e) {
      // Closing the app should cost no finished steps: checkpoint where we are, then end interrupted.
      if (e instanceof JobStoppedError && trainer.step > ctx.checkpoints.lastStep) await save();
      throw e;
    }
  }
  return last;
}
