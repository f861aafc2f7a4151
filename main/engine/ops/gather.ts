// Gather (embedding lookups, label-token columns) and the row pick built on it.
// Backward: ScatterND with reduction "add" into zeros, so repeated indices accumulate.

import type { Value } from '../graph';
import { normalizeAxis } from '../shape';
import { hostTensor } from '../tensor';
import { betaAxis } from '../cd/rules';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { zerosOf } from './fill';
import { reshape, transpose, unsqueeze } from './shape-ops';

function moveAxis(rank: number, from: number, to: number): number[] {
  const perm = [...Array(rank).keys()].filter((i) => i !== from);
  perm.splice(to, 0, from);
  return perm;
}

const Gather = defineOp<{ axis: number }>({
  name: 'Gather',
  nonDifferentiable: [1],
  infer([data, idx], { axis }) {
    if (idx!.dtype !== 'int64' && idx!.dtype !== 'int32') throw new ShapeError(`indices must be integers, got ${idx!.dtype}`);
    const a = normalizeAxis(axis, data!.rank);
    return [{ dtype: data!.dtype, shape: [...data!.shape.slice(0, a), ...idx!.shape, ...data!.shape.slice(a + 1)] }];
  },
  emit: (g, [data, idx], { axis }, specs) => ({
    outputs: g.node('Gather', [data!, idx!], { axis: { i: normalizeAxis(axis, data!.rank) } }, specs),
  }),
  vjp({ inputs: [data, idx], attrs: { axis } }, [g]) {
    const a = normalizeAxis(axis, data!.rank);
    const r = idx!.rank;
    // Bring the gathered dimensions to the front so ScatterND addresses rows of axis 0.
    let grad = g!;
    if (a > 0) {
      const perm = [...Array(grad.rank).keys()];
      const front = perm.splice(a, r);
      grad = transpose(grad, [...front, ...perm]);
    }
    const rowsFirst = a > 0 ? moveAxis(data!.rank, a, 0).map((i) => data!.shape[i]!) : data!.shape;
    const graph = data!.graph;
    const [scattered] = graph.node(
      'ScatterND',
      [zerosOf(graph, data!.dtype, rowsFirst), unsqueeze(idx!, -1), grad],
      { reduction: { s: 'add' } },
      [{ dtype: data!.dtype, shape: rowsFirst }],
    );
    return [a > 0 ? transpose(scattered!, moveAxis(data!.rank, 0, a)) : scattered!, null];
  },
  cd: ({ inputs: [data, idx], attrs: { axis } }, [b]) => [gather(b!, idx!, betaAxis(axis, data!.rank))],
});

/** Rows (or slices along `axis`) of `data` at integer `indices`; output dims = indices' dims in place of axis. */
export const gather = (data: Value, indices: Value, axis = 0): Value => applyOp(Gather, [data, indices], { axis })[0]!;

/** x [B, T, ...] and one position per row pos [B] → x[b, pos[b], ...] as [B, ...]. */
export function pickRows(x: Value, positions: Value): Value {
  const [b, t] = x.shape as [number, number];
  if (positions.rank !== 1 || positions.shape[0] !== b) {
    throw new ShapeError(`pickRows: positions must be [${b}], got ${positions.describe()}`);
  }
  const g = x.graph;
  const rowStarts = g.constant(hostTensor('int64', [b], Array.from({ length: b }, (_, i) => i * t)));
  const [flatIndex] = g.node('Add', [rowStarts, positions], {}, [{ dtype: 'int64', shape: [b] }]);
  return gather(reshape(x, [b * t, ...x.shape.slice(2)]), flatIndex!, 0);
}
