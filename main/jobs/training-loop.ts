// The step loop every training kind shares: resume the trainer from the job's checkpoint, run the
// remaining steps with batches that depend only on the step, record metrics, checkpoint on the
// interval (and once more when asked to stop), and report progress, which is also where a cancel
// or stop takes effect. Batches being a function of the step is what makes a resumed run equal an
// uninterrupted one. Steps may be taken several per engine run (bit-identical, see steps-per-run.ts);
// such a run always ends at a checkpoint step or a step whose weights are observed.

import type { ProviderName } from '../engine/runtime/provider';
import type { StepResult, Trainer } from '../engine/optim/trainer';
import type { HostTensor } from '../engine/tensor';
import { autoStepsPerRun, type StepsPerRun } from './steps-per-run';
import { JobStoppedError, type JobContext } from './types';

export interface TrainingLoopOptions {
  /** Total optimizer steps of the run. */
  steps: number;
  /** Shape bucket of every batch (the trainer must already be started on it). */
  bucket: string;
  /** The batch of 1-based step `step`: a pure function of the step (and the run's seed). */
  batch: (step: number) => Record<string, HostTensor>;
  /** Extra metrics measured on the weights of exactly the steps `at` names (e.g. held-out accuracy); shown in progress too. */
  observe?: { at: (step: number) => boolean; measure: () => Promise<Record<string, number>> };
  /** The most optimizer steps per engine run (default 1); 'auto' chooses by device and pace. */
  stepsPerRun?: StepsPerRun;
}

/** At most this many Loop sizes are compiled per run (the regular one and one remainder). */
const LOOP_SIZES = 2;

/** Runs the loop to the last step; returns the final step's result (undefined if none were left). */
export async function runTrainingLoop(ctx: JobContext<unknown>, trainer: Trainer, opts: TrainingLoopOptions): Promise<StepResult | undefined> {
  const resume = ctx.checkpoints.resumeFrom;
  if (resume) await trainer.restore({ step: resume.step, tensors: resume.tensors });
  const save = async () => {
    const cp = await trainer.checkpoint();
    await ctx.checkpoints.save({ step: cp.step, tensors: cp.tensors, state: {} });
  };
  const pace = new RunSize(opts.stepsPerRun ?? 1, ctx.runner.provider.provider);
  const boundary = (step: number) => ctx.checkpoints.due(step) || (opts.observe?.at(step) ?? false);
  let last: StepResult | undefined;
  let shown: Record<string, number> = {};
  while (trainer.step < opts.steps) {
    const first = trainer.step + 1;
    let end = Math.min(opts.steps, first + pace.size() - 1);
    for (let s = first; s < end; s++) if (boundary(s)) end = s;
    const count = pace.allows(end - first + 1, end === opts.steps) ? end - first + 1 : 1;
    if (count > 1 && !pace.compiled(count)) ctx.log(`steps ${first}-${end}: ${count} optimizer steps per engine run (ONNX Loop; compiled on first use)`);
    const t0 = performance.now();
    const results =
      count > 1
        ? await trainer.trainSteps(opts.bucket, Array.from({ length: count }, (_, i) => opts.batch(first + i)))
        : [await trainer.trainStep(opts.bucket, opts.batch(first))];
    pace.ran(count, (performance.now() - t0) / 1000, opts.steps - trainer.step);
    for (const result of results) {
      const extra = opts.observe?.at(result.step) ? await opts.observe.measure() : {};
      shown = { ...shown, ...extra };
      ctx.metrics(result.step, { loss: result.loss, lr: result.lr, ...(result.gradNorm !== undefined && { grad_norm: result.gradNorm }), ...extra });
      last = result;
    }
    if (ctx.checkpoints.due(last!.step) && last!.step < opts.steps) await save();
    try {
      await ctx.progress({ step: last!.step, total: opts.steps, loss: last!.loss, ...(Object.keys(shown).length > 0 && { metrics: shown }) });
    } catch (e) {
      // Closing the app should cost no finished steps: checkpoint where we are, then end interrupted.
      if (e instanceof JobStoppedError && trainer.step > ctx.checkpoints.lastStep) await save();
      throw e;
    }
  }
  return last;
}

/** The steps per engine run: fixed, or (auto) single steps until the second one has shown the pace. */
class RunSize {
  private chosen: number | null;
  private readonly sizes = new Set<number>();
  private singles = 0;

  constructor(
    setting: StepsPerRun,
    private readonly provider: ProviderName,
  ) {
    this.chosen = setting === 'auto' ? null : Math.max(1, Math.floor(setting));
  }

  size(): number {
    return this.chosen ?? 1;
  }

  compiled(count: number): boolean {
    return this.sizes.has(count);
  }

  /** Whether a run of `count` steps may be compiled (single steps always may; the last run only in a size already compiled). */
  allows(count: number, last: boolean): boolean {
    return count === 1 || this.sizes.has(count) || (!last && this.sizes.size < LOOP_SIZES);
  }

  ran(count: number, seconds: number, stepsLeft: number): void {
    if (count > 1) this.sizes.add(count);
    else if (this.chosen === null && ++this.singles === 2) {
      // the first run of a session is slower (allocation, tuning): decide on the second
      this.chosen = autoStepsPerRun(this.provider, seconds, stepsLeft);
    }
  }
}
