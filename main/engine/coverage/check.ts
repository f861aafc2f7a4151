// The op-coverage check: every registry op's forward and backward (the op cases, in float32) run on a
// target execution provider and compared with the CPU, so a missing or different kernel (e.g. a
// CUDA gap for ScatterND with reduction "add") shows up before a user's run depends on it.

import { grad } from '../autodiff';
import { Graph } from '../graph';
import { encodeModel } from '../onnx/encode';
import * as op from '../ops/index';
import { Rng } from '../random';
import type { Runner } from '../runtime/runner';
import { hostTensor, sizeOf, type HostTensor } from '../tensor';
import { opCases, type OpCase } from './op-cases';

export interface CoverageRow {
  case: string;
  ops: string[];
  /** Largest |target − cpu| / max(1, |cpu|) over the outputs and every input gradient. */
  maxError: number;
  ok: boolean;
  error?: string;
}

function caseGraph(c: OpCase, rng: Rng): { graph: Graph; feeds: Record<string, HostTensor>; outputs: string[] } {
  const g = new Graph();
  const values = c.inputs.map((s) => (s.ints ? g.input(s.name, 'int64', s.shape) : g.input(s.name, 'float32', s.shape, { requiresGrad: true })));
  const y = c.build(g, values);
  const projection = g.constant(hostTensor('float32', y.shape, Array.from({ length: sizeOf(y.shape) }, () => rng.normal())));
  const loss = op.reduceSum(op.mul(y, projection), [...y.shape.keys()], false);
  const floats = values.filter((_, i) => !c.inputs[i]!.ints);
  const outputs = ['y'];
  g.output(y, 'y');
  grad(loss, floats).forEach((gv, i) => {
    if (!gv) return;
    g.output(gv, `grad.${floats[i]!.name}`);
    outputs.push(`grad.${floats[i]!.name}`);
  });
  const feeds: Record<string, HostTensor> = {};
  for (const s of c.inputs) {
    feeds[s.name] = s.ints
      ? hostTensor('int64', s.shape, s.ints)
      : hostTensor('float32', s.shape, Array.from({ length: sizeOf(s.shape) }, () => (s.positive ? 0.5 + rng.uniform() : rng.normal())));
  }
  return { graph: g, feeds, outputs };
}

async function runOn(runner: Runner, graph: Graph, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const session = await runner.load(encodeModel(graph));
  try {
    return await runner.run(session.id, { feeds });
  } finally {
    await runner.release(session.id);
  }
}

export async function checkOpCoverage(target: Runner, reference: Runner, tolerance = 1e-4, onCase?: (row: CoverageRow) => void): Promise<CoverageRow[]> {
  const rng = new Rng(5);
  const rows: CoverageRow[] = [];
  for (const c of opCases('float32')) {
    const { graph, feeds, outputs } = caseGraph(c, rng);
    let row: CoverageRow;
    try {
      const [got, want] = [await runOn(target, graph, feeds), await runOn(reference, graph, feeds)];
      let maxError = 0;
      for (const name of outputs) {
        const [a, b] = [got[name]!.data as Float32Array, want[name]!.data as Float32Array];
        for (let i = 0; i < b.length; i++) maxError = Math.max(maxError, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
      }
      row = { case: c.name, ops: c.ops, maxError, ok: maxError <= tolerance };
    } catch (e) {
      row = { case: c.name, ops: c.ops, maxError: Number.NaN, ok: false, error: (e as Error).message.split('\n')[0] };
    }
    rows.push(row);
    onCase?.(row);
  }
  return rows;
}
