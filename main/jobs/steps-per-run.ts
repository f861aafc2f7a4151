// How many optimizer steps one engine run takes. Several steps per run (an ONNX Loop over stacked
// batches) give bit-identical results and move parameters and optimizer moments across the runner
// boundary once instead of K times. `npm run bench:transfer` measured, 4 steps per run on 2 CPU
// threads: epochs 0.40-0.56× as long for full fine-tuning and 0.71-0.82× for CT-SFT, but compiling the
// Loop graph costs as much as 6-13 single steps (60 s for a 2-layer Qwen2.5-0.5B-shaped full FT), so
// on the CPU it is used only for longer runs. On CUDA every run copies all inputs and outputs between
// host and device, so there it always pays. On the 24-layer Qwen2.5-0.5B shape (`npm run bench:scale`)
// a CT-SFT epoch with a 4-step CPU Loop took 165.7 s instead of 101.2 s and peaked at 14.6 GiB instead
// of 8.3: beside steps that long the copies it saves are small, so slow steps run one per run.

import type { ProviderName } from '../engine/runtime/provider';

/** 'auto' decides from the device, the pace of the first steps and the steps left. */
export type StepsPerRun = number | 'auto';

/** The longest a multi-step run should take, in single-step time: cancelling and progress wait for its end. */
const RUN_SECONDS = 30;
/** On the CPU, fewer steps left than this do not repay compiling the Loop graph. */
const CPU_MIN_STEPS_LEFT = 48;
/** On the CPU, single steps slower than this gain nothing from a Loop (measured: they lose). */
const CPU_MAX_LOOP_STEP_SECONDS = 5;

export function autoStepsPerRun(provider: ProviderName, secondsPerStep: number, stepsLeft: number): number {
  const byTime = Math.max(1, Math.floor(RUN_SECONDS / Math.max(secondsPerStep, 1e-6)));
  if (provider === 'cuda') return Math.min(8, byTime, Math.max(1, stepsLeft));
  if (stepsLeft < CPU_MIN_STEPS_LEFT || secondsPerStep > CPU_MAX_LOOP_STEP_SECONDS) return 1;
  return Math.min(4, byTime);
}
