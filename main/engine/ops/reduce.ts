// ReduceSum / ReduceMean over static axes. Backward: reshape to the kept-dims shape and expand.

import type { Value } from '../graph';
import { normalizeAxis } from '../shape';
import { sizeOf } from '../tensor';
import { betaAxis } from '../cd/rules';
import type { TensorSpec } from './op-def';
import { applyOp, defineOp } from './registry';
import { scale } from './arithmetic';
import { expand, reshape } from './shape-ops';

interface ReduceAttrs {
  axes: readonly number[];
  keepdims: boolean;
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const set = new Set(axes.map((a) => normalizeAxis(a, shape.length)));
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!set.has(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

function reduceOp(name: 'ReduceSum' | 'ReduceMean') {
  return defineOp<ReduceAttrs>({
    name,
    infer: ([x], { axes, keepdims }): TensorSpec[] => [{ dtype: x!.dtype, shape: reducedShape(x!.shape, axes, keepdims) }],
    emit: (g, [x], { axes, keepdims }, specs) => ({
      outputs: g.node(name, [x!, g.ints(axes.map((a) => normalizeAxis(a, x!.rank)))], { keepdims: { i: keepdims ? 1 : 0 } }, specs),
    }),
    vjp({ inputs: [x], attrs: { axes } }, [g]) {
      const kept = reshape(g!, reducedShape(x!.shape, axes, true));
      const full = expand(kept, x!.shape);
      if (name === 'ReduceSum') return [full];
      const count = sizeOf(x!.shape) / sizeOf(kept.shape);
      return [scale(full, 1 / count)];
    },
    cd: ({ inputs: [x], attrs: { axes, keepdims } }, [b]) => {
      const shifted = axes.map((a) => betaAxis(a, x!.rank));
      return [name === 'ReduceSum' ? reduceSum(b!, shifted, keepdims) : reduceMean(b!, shifted, keepdims)];
    },
  });
}

const ReduceSum = reduceOp('ReduceSum');
const ReduceMean = reduceOp('ReduceMean');

export const reduceSum = (x: Value, axes: readonly number[], keepdims = false): Value =>
  applyOp(ReduceSum, [x], { axes, keepdims })[0]!;
export const reduceMean = (x: Value, axes: readonly number[], keepdims = false): Value =>
  applyOp(ReduceMean, [x], { axes, keepdims })[0]!;
