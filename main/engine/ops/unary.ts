// Point-wise functions, each with its derivative written in terms of its input x or output y.

import type { Value } from '../graph';
import { gammaFirst } from '../cd/rules';
import { applyOp, defineOp } from './registry';
import { addScalar, div, mul, neg, scale, sub } from './arithmetic';
import { less } from './elementwise-logic';
import { where } from './where';

type Derivative = (x: Value, y: Value, g: Value) => Value;

// Point-wise functions decompose by the γ-first rule: β' = f(x) − f(x − β).
function unaryOp(name: string, derivative: Derivative) {
  const def = defineOp<object>({
    name,
    infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
    emit: (g, inputs, _a, specs) => ({ outputs: g.node(name, inputs, {}, specs) }),
    vjp: ({ inputs: [x], outputs: [y] }, [g]) => [derivative(x!, y!, g!)],
    cd: ({ inputs: [x], outputs: [y] }, [b]) => [gammaFirst(x!, y!, b!, fn)],
  });
  const fn = (x: Value): Value => applyOp(def, [x], {})[0]!;
  return fn;
}

const oneMinus = (y: Value): Value => sub(y.graph.scalar(1, y.dtype), y);

export const exp = unaryOp('Exp', (_x, y, g) => mul(g, y));
export const log = unaryOp('Log', (x, _y, g) => div(g, x));
export const sqrt = unaryOp('Sqrt', (_x, y, g) => div(scale(g, 0.5), y));
export const reciprocal = unaryOp('Reciprocal', (_x, y, g) => neg(mul(g, mul(y, y))));
export const tanh = unaryOp('Tanh', (_x, y, g) => mul(g, oneMinus(mul(y, y))));
export const sigmoid = unaryOp('Sigmoid', (_x, y, g) => mul(g, mul(y, oneMinus(y))));
export const abs = unaryOp('Abs', (x, _y, g) => where(less(x, x.graph.scalar(0, x.dtype)), neg(g), g));
export const relu = unaryOp('Relu', (x, _y, g) => where(less(x.graph.scalar(0, x.dtype), x), g, x.graph.scalar(0, x.dtype)));

/**
 * SiLU (swish): x·σ(x); dy/dx = σ·(1 + x·(1 − σ)). In float64, σ is spelled 1/(1 + e^(−x)) because
 * onnxruntime fuses Sigmoid·x into a float-only QuickGelu kernel and then fails to load the graph.
 */
const SiLU = defineOp<object, { s: Value }>({
  name: 'SiLU',
  infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
  emit(_g, [x]) {
    const s = logistic(x!);
    return { outputs: [mul(x!, s)], saved: { s } };
  },
  vjp: ({ inputs: [x], saved: { s } }, [g]) => [mul(g!, mul(s, addScalar(mul(x!, oneMinus(s)), 1)))],
  cd: ({ inputs: [x], outputs: [y] }, [b]) => [gammaFirst(x!, y!, b!, silu)],
});
export const silu = (x: Value): Value => applyOp(SiLU, [x], {})[0]!;

/** σ(x), spelled 1/(1 + e^(−x)) in float64 (see SiLU) and as the Sigmoid op otherwise. */
export function logistic(x: Value): Value {
  return x.dtype === 'float64' ? reciprocal(addScalar(exp(neg(x)), 1)) : sigmoid(x);
}
