// Time left for a job, from the pace of the steps done in this attempt. The first step is left out
// of the pace (it includes graph building and session creation), and a resumed attempt measures
// only its own steps, so an estimate never mixes two processes' speeds.

export class EtaEstimator {
  private first: { step: number; at: number } | undefined;
  private readonly started: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.started = now();
  }

  /** Seconds since this attempt started. */
  elapsedSeconds(): number {
    return (this.now() - this.started) / 1000;
  }

  /** Seconds until `total`, given that `step` just completed; null until two steps were seen. */
  update(step: number, total: number): number | null {
    const at = this.now();
    if (!this.first || step <= this.first.step) {
      this.first = { step, at };
      return null;
    }
    const perStep = (at - this.first.at) / (step - this.first.step);
    return (Math.max(0, total - step) * perStep) / 1000;
  }
}
