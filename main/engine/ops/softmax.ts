// Softmax and LogSoftmax along one axis.

import type { Value } from '../graph';
import { normalizeAxis } from '../shape';
import { gammaFirst } from '../cd/rules';
import { applyOp, defineOp } from './registry';
import { mul, sub } from './arithmetic';
import { reduceSum } from './reduce';
import { exp } from './unary';

function softmaxOp(name: 'Softmax' | 'LogSoftmax', backward: (y: Value, g: Value, axis: number) => Value) {
  return defineOp<{ axis: number }>({
    name,
    infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
    emit: (g, [x], { axis }, specs) => ({ outputs: g.node(name, [x!], { axis: { i: normalizeAxis(axis, x!.rank) } }, specs) }),
    vjp: ({ outputs: [y], attrs: { axis } }, [g]) => [backward(y!, g!, normalizeAxis(axis, y!.rank))],
    cd: ({ inputs: [x], outputs: [y], attrs: { axis } }, [b]) => {
      const along = normalizeAxis(axis, x!.rank) + 1;
      return [gammaFirst(x!, y!, b!, (v) => (name === 'Softmax' ? softmax(v, along) : logSoftmax(v, along)))];
    },
  });
}

// y = softmax(x): dx = y·(g − Σ g·y)
const Softmax = softmaxOp('Softmax', (y, g, axis) => mul(y, sub(g, reduceSum(mul(g, y), [axis], true))));
// y = log softmax(x): dx = g − exp(y)·Σ g
const LogSoftmax = softmaxOp('LogSoftmax', (y, g, axis) => sub(g, mul(exp(y), reduceSum(g, [axis], true))));

export const softmax = (x: Value, axis = -1): Value => applyOp(Softmax, [x], { axis })[0]!;
export const logSoftmax = (x: Value, axis = -1): Value => applyOp(LogSoftmax, [x], { axis })[0]!;
