// The label-balanced mean baseline μ (CT-SFT §4.1.1): per layer, position and head, the mean of the
// head's output z over the set M — the mean of per-class means, so classes weigh equally even when M
// cannot be split evenly — counting only real (unpadded) positions.
//
// Every batch is padded to one length, the longest of M, D and the validation split, so some
// positions may hold no real token of any example of M (all shorter). There μ is the *pooled* mean:
// the label-balanced mean over every real token of M, per layer and head (policy 'pooled'). Those
// positions matter only where a D or validation example is longer than every example of M; padded
// positions of an example never reach its label logit (docs/circuits.md, "Positions no example of M
// reaches").

import type { HostTensor } from '../engine/tensor';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import { TASK_INPUTS } from '../models/classification/task-model';
import type { CircuitSession } from './circuit-session';

export interface MeanBaseline {
  seq: number;
  heads: number;
  headDim: number;
  /** Per layer, [seq, heads, headDim] flattened. */
  layers: Float64Array[];
  /** How many examples of M the means are taken over. */
  examples: number;
  /** Per position: whether a real token of some example of M lies there. */
  reached: boolean[];
  /** What μ is at the other positions: the label-balanced mean over every real token of M. */
  unreached: 'pooled';
}

/** What circuit.json records of the baseline (its `meanBaseline` field). */
export interface MeanBaselineReport {
  examples: number;
  seq: number;
  reachedPositions: number;
  unreachedPositions: number;
  unreached: 'pooled';
  /** Examples scored or evaluated (D, validation) with a real token at an unreached position. */
  examplesAtUnreached: number;
}

/** μ as one tensor [layers, seq, heads, headDim] for graphs that take every layer's mean. */
export function meanTensor(mean: MeanBaseline, dtype: 'float32' | 'float64'): HostTensor {
  const per = mean.seq * mean.heads * mean.headDim;
  const data = dtype === 'float32' ? new Float32Array(mean.layers.length * per) : new Float64Array(mean.layers.length * per);
  mean.layers.forEach((l, i) => data.set(l, i * per));
  return { dtype, shape: [mean.layers.length, mean.seq, mean.heads, mean.headDim], data };
}

export async function computeMeanBaseline(session: CircuitSession, examples: readonly ClassificationExample[]): Promise<MeanBaseline> {
  const { config } = session.model;
  const [L, T, H, Dh] = [config.numLayers, session.seq, config.numHeads, config.headDim];
  const [row, per] = [H * Dh, T * H * Dh];
  const classes = session.task.labels.length;
  const sums = Array.from({ length: L }, () => Array.from({ length: classes }, () => new Float64Array(per)));
  const counts = Array.from({ length: classes }, () => new Float64Array(T));
  const names = Array.from({ length: L }, (_, l) => `z${l}`);
  const build = () => {
    const m = session.taskModel();
    m.z.forEach((z, l) => m.graph.output(z, names[l]!));
    return m.graph;
  };
  for (const batch of session.batches(examples)) {
    const out = await session.run('mean-baseline', build, batch, {}, names);
    const mask = batch.feeds[TASK_INPUTS.mask]!.data as BigInt64Array;
    batch.rows.forEach((r, b) => {
      const c = r.label!;
      for (let t = 0; t < T; t++) {
        if (mask[b * T + t] !== 1n) continue;
        counts[c]![t]! += 1;
        for (let l = 0; l < L; l++) {
          const z = out[names[l]!]!.data as Float32Array | Float64Array;
          const sum = sums[l]![c]!;
          const from = (b * T + t) * row;
          for (let i = 0; i < row; i++) sum[t * row + i]! += z[from + i]!;
        }
      }
    });
  }
  // computed once per discovery: the forward's arena (every layer's z of a batch) is not needed again
  await session.releaseGraphs('mean-baseline|');
  const reached = Array.from({ length: T }, (_, t) => counts.some((perClass) => perClass[t]! > 0));
  const tokens = counts.map((perClass) => perClass.reduce((a, x) => a + x, 0));
  const layers = sums.map((perClass) => {
    const mean = new Float64Array(per);
    for (let t = 0; t < T; t++) {
      const present = perClass.map((_, c) => c).filter((c) => counts[c]![t]! > 0);
      for (const c of present) {
        for (let i = 0; i < row; i++) mean[t * row + i]! += perClass[c]![t * row + i]! / counts[c]![t]! / present.length;
      }
    }
    // Pooled: each class's sum over all its real tokens / its token count, then the mean over classes.
    const pooled = new Float64Array(row);
    const present = tokens.map((_, c) => c).filter((c) => tokens[c]! > 0);
    for (const c of present) {
      for (let t = 0; t < T; t++) for (let i = 0; i < row; i++) pooled[i]! += perClass[c]![t * row + i]! / tokens[c]! / present.length;
    }
    for (let t = 0; t < T; t++) if (!reached[t]) mean.set(pooled, t * row);
    return mean;
  });
  return { seq: T, heads: H, headDim: Dh, layers, examples: examples.length, reached, unreached: 'pooled' };
}

/** The baseline's record for circuit.json, counting the `scored` examples that meet a pooled position. */
export function meanBaselineReport(session: CircuitSession, mean: MeanBaseline, scored: readonly ClassificationExample[]): MeanBaselineReport {
  const T = mean.seq;
  let examplesAtUnreached = 0;
  for (const batch of session.batches(scored)) {
    const mask = batch.feeds[TASK_INPUTS.mask]!.data as BigInt64Array;
    batch.rows.forEach((_, b) => {
      if (mean.reached.some((r, t) => !r && mask[b * T + t] === 1n)) examplesAtUnreached++;
    });
  }
  const reachedPositions = mean.reached.filter(Boolean).length;
  return { examples: mean.examples, seq: T, reachedPositions, unreachedPositions: T - reachedPositions, unreached: mean.unreached, examplesAtUnreached };
}
