// One progress bar for a job made of phases (training steps, evaluation batches, discovery phases):
// every phase advances the same counter toward one total, so the bar only moves forward.

import type { JobContext, ProgressReport } from '../jobs/types';

export class JobProgress {
  private done = 0;

  constructor(
    private readonly ctx: JobContext<unknown>,
    readonly total: number,
  ) {}

  get position(): number {
    return this.done;
  }

  /**
   * Advances from a synchronous callback without waiting; a cancel or stop it carries takes effect
   * at the next `checkpoint()` (or the training loop's own cancellation point).
   */
  tick(units = 1): void {
    this.done = Math.min(this.total, this.done + units);
    this.ctx.progress({ step: this.done, total: this.total }).catch(() => undefined);
  }

  /** Reports the current position and is a cancellation point. */
  async checkpoint(): Promise<void> {
    await this.ctx.progress({ step: this.done, total: this.total });
  }

  /** The context for `runTrainingLoop`: its step s is shown as offset + s of the whole job. */
  training(offset: number): JobContext<unknown> {
    const progress = async (r: ProgressReport) => {
      this.done = offset + r.step;
      await this.ctx.progress({ ...r, step: this.done, total: this.total });
    };
    return { ...this.ctx, progress };
  }
}
