// Constant-filled tensors made in-graph (ConstantOfShape), so large zero buffers never enter the model file.

import type { DType } from '../dtype';
import type { Graph, Value } from '../graph';
import { hostTensor, type Shape } from '../tensor';

export function filled(g: Graph, dtype: DType, shape: Shape, value: number): Value {
  if (shape.length === 0) return g.scalar(value, dtype);
  const [out] = g.node('ConstantOfShape', [g.ints(shape)], { value: { t: hostTensor(dtype, [1], [value]) } }, [{ dtype, shape }]);
  return out!;
}

export const zerosOf = (g: Graph, dtype: DType, shape: Shape): Value => filled(g, dtype, shape, 0);
export const onesOf = (g: Graph, dtype: DType, shape: Shape): Value => filled(g, dtype, shape, 1);
