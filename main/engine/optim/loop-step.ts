// K optimizer steps in one run: the one-step training graph becomes the body of an ONNX Loop that
// carries parameters and optimizer slots from iteration to iteration, reads iteration k's batch from
// inputs stacked along a new first axis, and scans out the loss (and lr, grad_norm) of every step.
// Host↔device traffic for parameters is then paid once per K steps instead of every step — the
// stock onnxruntime-node binding copies all inputs and outputs on each run.

import { ONNX_DTYPE } from '../dtype';
import { Graph, GraphError, type Value } from '../graph';
import { hostTensor, type HostTensor } from '../tensor';
import type { ForwardGraph } from './trainer';
import { buildTrainStep, type StateSlot, type TrainStepOptions } from './train-step';

export interface LoopTrainStep {
  graph: Graph;
  state: StateSlot[];
  /** Per-step outputs, each [K]: loss, lr and (when reported) grad_norm. */
  scans: string[];
}

const ITER = '__loop_iteration';
const COND = '__loop_condition';

/**
 * Wraps a forward graph (built for one batch) into a K-step Loop. `batchInputs` name the inputs that
 * change every step (fed stacked, [K, ...shape]); every other non-state input stays constant.
 */
export function buildLoopTrainStep(forward: ForwardGraph, opts: TrainStepOptions, steps: number, batchInputs: readonly string[]): LoopTrainStep {
  if (!Number.isInteger(steps) || steps < 1) throw new GraphError(`loop: steps must be a positive integer, got ${steps}`);
  const body = forward.graph;
  const step = buildTrainStep(forward.loss, forward.trainables, opts);
  const outer = new Graph();
  const iter = body.input(ITER, 'int64', []);
  const cond = body.input(COND, 'bool', []);
  const slotNames = new Set(step.state.map((s) => s.name));
  const slotInputs = step.state.map((s) => body.inputs.find((v) => v.name === s.name)!);

  for (const v of [...body.inputs]) {
    if (v === iter || v === cond || slotNames.has(v.name!)) continue;
    if (v.name === 'step') {
      const start = outer.input('step', v.dtype, []);
      const [k] = body.node('Cast', [iter], { to: { i: ONNX_DTYPE[v.dtype] } }, [{ dtype: v.dtype, shape: [] }]);
      body.computeInput(v, 'Add', [body.outer(start), k!]);
    } else if (batchInputs.includes(v.name!)) {
      const stacked = outer.input(v.name!, v.dtype, [steps, ...v.shape]);
      body.computeInput(v, 'Gather', [body.outer(stacked), iter], { axis: { i: 0 } });
    } else {
      body.computeInput(v, 'Identity', [body.outer(outer.input(v.name!, v.dtype, v.shape))]);
    }
  }

  // A body output must be computed inside the body: a constant (e.g. the lr of a constant schedule)
  // would be an outer-scope initializer once hoisted, which onnxruntime refuses as a body output.
  const byName = (name: string): Value => {
    const o = body.outputs.find((x) => x.name === name);
    if (!o) throw new GraphError(`loop: the step graph has no output "${name}"`);
    return o.value.kind === 'node' ? o.value : body.node('Identity', [o.value], {}, [o.value])[0]!;
  };
  const [condOut] = body.node('Identity', [cond], {}, [{ dtype: 'bool', shape: [] }]);
  const carriedOut = step.state.map((s) => byName(s.output));
  const scans = step.outputs;
  const scanOut = scans.map(byName);
  const outerState = step.state.map((s, i) => outer.input(s.name, slotInputs[i]!.dtype, slotInputs[i]!.shape));
  const results = outer.node(
    'Loop',
    [outer.constant(hostTensor('int64', [], [steps])), outer.constant(hostTensor('bool', [], [1])), ...outerState],
    { body: { g: { graph: body, inputs: [iter, cond, ...slotInputs], outputs: [condOut!, ...carriedOut, ...scanOut] } } },
    [...outerState.map((v) => ({ dtype: v.dtype, shape: v.shape })), ...scanOut.map((v) => ({ dtype: v.dtype, shape: [steps, ...v.shape] }))],
  );
  step.state.forEach((s, i) => outer.output(results[i]!, s.output));
  scans.forEach((name, i) => outer.output(results[step.state.length + i]!, name));
  return { graph: outer, state: step.state, scans };
}

/** K feeds of the same shapes → one tensor per name, stacked along a new first axis. */
export function stackBatches(batches: readonly Record<string, HostTensor>[]): Record<string, HostTensor> {
  const first = batches[0];
  if (!first) throw new GraphError('loop: no batches to stack');
  const out: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(first)) {
    const size = t.data.length;
    const data = new (t.data.constructor as new (n: number) => HostTensor['data'])(size * batches.length);
    batches.forEach((b, k) => {
      const part = b[name];
      if (!part || part.data.length !== size) throw new GraphError(`loop: batch ${k} has no "${name}" of ${size} elements`);
      (data as Float32Array).set(part.data as Float32Array, k * size);
    });
    out[name] = { dtype: t.dtype, shape: [batches.length, ...t.shape], data } as HostTensor;
  }
  return out;
}
