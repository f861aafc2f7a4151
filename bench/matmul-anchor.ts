// The physical anchor for GFLOP/s figures: onnxruntime's plain MatMul on the GEMM shapes a step of
// the benchmark model runs (tokens × hidden × hidden, tokens × hidden × ffn, tokens × ffn × hidden),
// chained inside one graph so the output copy does not count.

import { Graph } from '../main/engine/graph';
import { encodeModel } from '../main/engine/onnx/encode';
import * as op from '../main/engine/ops/index';
import { Rng } from '../main/engine/random';
import type { Runner } from '../main/engine/runtime/runner';
import { hostTensor } from '../main/engine/tensor';
import { median, timeCalls } from './stats';

const CHAIN = 8;

/** GFLOP/s of `CHAIN` repetitions of x·W₁ (·W₂), with `dims` the successive feature sizes. */
async function chainRate(runner: Runner, tokens: number, dims: number[], repeats: number): Promise<number> {
  const rng = new Rng(11);
  const g = new Graph();
  const x = g.input('x', 'float32', [tokens, dims[0]!]);
  let y = x;
  let flops = 0;
  for (let c = 0; c < CHAIN; c++) {
    for (let i = 1; i < dims.length; i++) {
      const w = hostTensor('float32', [dims[i - 1]!, dims[i]!], Array.from({ length: dims[i - 1]! * dims[i]! }, () => rng.normal() * 0.05));
      y = op.matmul(y, g.initializer(`w${c}.${i}`, w));
      flops += 2 * tokens * dims[i - 1]! * dims[i]!;
    }
  }
  g.output(y, 'y');
  const session = await runner.load(encodeModel(g));
  const feed = hostTensor('float32', [tokens, dims[0]!], Array.from({ length: tokens * dims[0]! }, () => rng.normal()));
  const ms = median(await timeCalls(() => runner.run(session.id, { feeds: { x: feed } }), 3, repeats));
  await runner.release(session.id);
  return flops / (ms * 1e6);
}

export interface MatmulAnchor {
  square: number;
  ffn: number;
  /** FLOP-weighted over the model's GEMM mix (attention projections : FFN = 4d² : 2d·ffn). */
  combined: number;
}

export async function measureMatmulAnchor(runner: Runner, tokens: number, hidden: number, ffn: number, repeats = 15): Promise<MatmulAnchor> {
  const square = await chainRate(runner, tokens, [hidden, hidden], repeats);
  const ffnRate = await chainRate(runner, tokens, [hidden, ffn, hidden], repeats);
  const [wSquare, wFfn] = [4 * hidden * hidden, 2 * hidden * ffn];
  const combined = (wSquare + wFfn) / (wSquare / square + wFfn / ffnRate);
  return { square, ffn: ffnRate, combined };
}
