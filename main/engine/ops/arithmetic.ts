// Broadcasting Add / Sub / Mul / Div. Each gradient is summed back over the axes its input was broadcast on.

import type { Value } from '../graph';
import { broadcastAxes, broadcastShapes } from '../shape';
import { alignBeta, fitBeta, gammaOf, signCleanup } from '../cd/rules';
import { ShapeError, type CdRule, type OpDef, type TensorSpec } from './op-def';
import { applyOp, defineOp } from './registry';
import { reduceSum } from './reduce';
import { reshape } from './shape-ops';

export function sameDType(inputs: readonly Value[]): void {
  const first = inputs[0]!;
  for (const v of inputs) {
    if (v.dtype !== first.dtype) throw new ShapeError(`mixed dtypes ${first.dtype} and ${v.dtype}`);
  }
}

/** Sums a gradient over the axes along which `target` was broadcast, restoring target's shape. */
export function unbroadcast(grad: Value, target: Value): Value {
  const axes = broadcastAxes(target.shape, grad.shape);
  if (axes.length === 0) return grad;
  return reshape(reduceSum(grad, axes, true), target.shape);
}

type VjpRule = (a: Value, b: Value, y: Value, g: Value) => [Value | null, Value | null];

/**
 * CD rule of a binary op. Sums split part by part; a product or quotient with only one relevant side is
 * linear in that side (β·b); with both sides relevant the γ-first rule applies: β' = y − f(γa, γb).
 */
function binaryCd(name: string): CdRule<object, undefined> {
  return ({ inputs: [a, b], outputs: [y], scope }, [ba, bb], options) => {
    const rank = y!.rank;
    const al = (beta: Value | null, clean: Value) => (beta ? alignBeta(beta, clean.rank, rank) : null);
    const [xa, xb] = [al(ba!, a!), al(bb!, b!)];
    let out: Value;
    if (name === 'Add' || name === 'Sub') {
      const nb = xb && name === 'Sub' ? neg(xb) : xb;
      out = xa && nb ? add(xa, nb) : (xa ?? nb)!;
      return [signCleanup(y!, fitBeta(out, rank, y!), options, scope)];
    }
    const f = name === 'Mul' ? mul : div;
    if (xa && !xb) out = f(xa, b!);
    else if (!xa && xb && name === 'Mul') out = mul(a!, xb);
    else out = sub(y!, f(xa ? gammaOf(a!, xa) : a!, xb ? gammaOf(b!, xb) : b!));
    return [fitBeta(out, rank, y!)];
  };
}

function binaryOp(name: string, rule: VjpRule): OpDef<object, undefined> {
  return defineOp<object>({
    name,
    infer([a, b]): TensorSpec[] {
      sameDType([a!, b!]);
      return [{ dtype: a!.dtype, shape: broadcastShapes(a!.shape, b!.shape) }];
    },
    emit: (g, inputs, _attrs, specs) => ({ outputs: g.node(name, inputs, {}, specs) }),
    vjp({ inputs: [a, b], outputs: [y] }, [g], needs) {
      const [ga, gb] = rule(a!, b!, y!, g!);
      return [needs[0] && ga ? unbroadcast(ga, a!) : null, needs[1] && gb ? unbroadcast(gb, b!) : null];
    },
    cd: binaryCd(name),
  });
}

const Add = binaryOp('Add', (_a, _b, _y, g) => [g, g]);
const Sub = binaryOp('Sub', (_a, _b, _y, g) => [g, neg(g)]);
const Mul = binaryOp('Mul', (a, b, _y, g) => [mul(g, b), mul(g, a)]);
// y = a / b: da = g / b, db = -g·y / b
const Div = binaryOp('Div', (_a, b, y, g) => [div(g, b), neg(div(mul(g, y), b))]);

export const add = (a: Value, b: Value): Value => applyOp(Add, [a, b], {})[0]!;
export const sub = (a: Value, b: Value): Value => applyOp(Sub, [a, b], {})[0]!;
export const mul = (a: Value, b: Value): Value => applyOp(Mul, [a, b], {})[0]!;
export const div = (a: Value, b: Value): Value => applyOp(Div, [a, b], {})[0]!;

const Neg = defineOp<object>({
  name: 'Neg',
  infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
  emit: (g, inputs, _a, specs) => ({ outputs: g.node('Neg', inputs, {}, specs) }),
  vjp: (_ctx, [g]) => [neg(g!)],
  cd: (_ctx, [b]) => [neg(b!)],
});
export const neg = (x: Value): Value => applyOp(Neg, [x], {})[0]!;

/** x · c for a plain number c (a shared scalar constant of x's dtype). */
export const scale = (x: Value, c: number): Value => mul(x, x.graph.scalar(c, x.dtype));
export const addScalar = (x: Value, c: number): Value => add(x, x.graph.scalar(c, x.dtype));
