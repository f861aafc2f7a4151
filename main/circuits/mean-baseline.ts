// The label-balanced mean baseline μ (CT-SFT §4.1.1): per layer, position and head, the mean of the
// head's output z over the set M — the mean of per-class means, so classes weigh equally even when M
// cannot be split evenly — counting only real (unpadded) positions.

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
  const per = T * H * Dh;
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
    batch.rows.forEach((row, b) => {
      const c = row.label!;
      for (let t = 0; t < T; t++) {
        if (mask[b * T + t] !== 1n) continue;
        counts[c]![t]! += 1;
        for (let l = 0; l < L; l++) {
          const z = out[names[l]!]!.data as Float32Array | Float64Array;
          const sum = sums[l]![c]!;
          const from = (b * T + t) * H * Dh;
          for (let i = 0; i < H * Dh; i++) sum[t * H * Dh + i]! += z[from + i]!;
        }
      }
    });
  }
  const layers = sums.map((perClass) => {
    const mean = new Float64Array(per);
    for (let t = 0; t < T; t++) {
      const present = perClass.map((_, c) => c).filter((c) => counts[c]![t]! > 0);
      for (const c of present) {
        for (let i = 0; i < H * Dh; i++) mean[t * H * Dh + i]! += perClass[c]![t * H * Dh + i]! / counts[c]![t]! / present.length;
      }
    }
    return mean;
  });
  return { seq: T, heads: H, headDim: Dh, layers };
}
