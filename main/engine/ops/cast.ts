// Cast between element types; float-to-float casts pass the gradient through (cast back).

import { isFloat, ONNX_DTYPE, type DType } from '../dtype';
import type { Value } from '../graph';
import { applyOp, defineOp } from './registry';

const Cast = defineOp<{ to: DType }>({
  name: 'Cast',
  infer: ([x], { to }) => [{ dtype: to, shape: x!.shape }],
  emit: (g, inputs, { to }, specs) => ({ outputs: g.node('Cast', inputs, { to: { i: ONNX_DTYPE[to] } }, specs) }),
  vjp: ({ inputs: [x] }, [g]) => [isFloat(x!.dtype) ? cast(g!, x!.dtype) : null],
  cd: ({ attrs: { to } }, [b]) => [isFloat(to) ? cast(b!, to) : null],
});

export const cast = (x: Value, to: DType): Value => (x.dtype === to ? x : applyOp(Cast, [x], { to })[0]!);
