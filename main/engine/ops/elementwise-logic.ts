// Comparisons, Min/Max and Pow: the scalar plumbing of optimizers and schedules. They carry no
// gradient (nothing trainable flows through them), so autodiff stops here with a clear error.

import type { Value } from '../graph';
import { broadcastShapes } from '../shape';
import { applyOp, defineOp } from './registry';
import { sameDType } from './arithmetic';

function plainOp(name: string, boolOut: boolean) {
  const def = defineOp<object>({
    name,
    nonDifferentiable: [0, 1],
    infer([a, b]) {
      sameDType([a!, b!]);
      return [{ dtype: boolOut ? 'bool' : a!.dtype, shape: broadcastShapes(a!.shape, b!.shape) }];
    },
    emit: (g, inputs, _a, specs) => ({ outputs: g.node(name, inputs, {}, specs) }),
  });
  return (a: Value, b: Value): Value => applyOp(def, [a, b], {})[0]!;
}

export const less = plainOp('Less', true);
export const equal = plainOp('Equal', true);
export const maximum = plainOp('Max', false);
export const minimum = plainOp('Min', false);
export const pow = plainOp('Pow', false);

const Not = defineOp<object>({
  name: 'Not',
  nonDifferentiable: [0],
  infer: ([x]) => [{ dtype: 'bool', shape: x!.shape }],
  emit: (g, inputs, _a, specs) => ({ outputs: g.node('Not', inputs, {}, specs) }),
});
export const logicalNot = (x: Value): Value => applyOp(Not, [x], {})[0]!;
