// Rotary position embedding (the "rotate half" form used by Llama and Qwen2):
//   y = x·cos + rotate(x)·sin,   rotate([x1, x2]) = [−x2, x1]
// Backward: dx = g·cos + rotateᵀ(g·sin),   rotateᵀ([u1, u2]) = [u2, −u1].

import type { Value } from '../graph';
import { broadcastShapes, sameShape } from '../shape';
import { hostTensor } from '../tensor';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { add, mul, neg, sameDType } from './arithmetic';
import { cast } from './cast';
import { concat, reshape, split } from './shape-ops';

function halves(x: Value): [Value, Value] {
  const d = x.shape[x.rank - 1]!;
  const [a, b] = split(x, -1, [d / 2, d / 2]);
  return [a!, b!];
}

const rotate = (x: Value): Value => {
  const [x1, x2] = halves(x);
  return concat([neg(x2), x1], -1);
};
const rotateTransposed = (u: Value): Value => {
  const [u1, u2] = halves(u);
  return concat([u2, neg(u1)], -1);
};

const Rotary = defineOp<object>({
  name: 'Rotary',
  nonDifferentiable: [1, 2],
  infer([x, cos, sin]) {
    sameDType([x!, cos!, sin!]);
    if (x!.shape[x!.rank - 1]! % 2 !== 0) throw new ShapeError('rotary needs an even head dimension');
    if (!sameShape(broadcastShapes(x!.shape, cos!.shape), x!.shape) || !sameShape(cos!.shape, sin!.shape)) {
      throw new ShapeError('cos and sin tables must broadcast to the input');
    }
    return [{ dtype: x!.dtype, shape: x!.shape }];
  },
  emit: (_g, [x, cos, sin]) => ({ outputs: [add(mul(x!, cos!), mul(rotate(x!), sin!))] }),
  vjp: ({ inputs: [, cos, sin] }, [g]) => [add(mul(g!, cos!), rotateTransposed(mul(g!, sin!))), null, null],
  cd: ({ inputs: [, cos, sin] }, [b]) => [rotary(b!, cos!, sin!)],
});

/** Applies rotary embedding to x [B, H, T, Dh] with tables from `rotaryTables`. */
export const rotary = (x: Value, cos: Value, sin: Value): Value => applyOp(Rotary, [x, cos, sin], {})[0]!;

/**
 * cos/sin tables [B, 1, T, Dh] for integer positions [B, T], computed in-graph as Hugging Face does:
 * angle = position · θ^(−2i/Dh), duplicated over both halves of the head dimension.
 */
export function rotaryTables(positions: Value, headDim: number, theta: number, dtype: 'float32' | 'float64') {
  const g = positions.graph;
  const [b, t] = positions.shape as [number, number];
  const half = headDim / 2;
  const inv = Array.from({ length: half }, (_, i) => 1 / Math.pow(theta, (2 * i) / headDim));
  const invFreq = g.constant(hostTensor(dtype, [half], dtype === 'float32' ? inv.map(Math.fround) : inv));
  const freqs = mul(reshape(cast(positions, dtype), [b, 1, t, 1]), invFreq);
  const angles = concat([freqs, freqs], -1);
  const spec = [{ dtype, shape: [b, 1, t, headDim] }];
  const [cos] = g.node('Cos', [angles], {}, spec);
  const [sin] = g.node('Sin', [angles], {}, spec);
  return { cos: cos!, sin: sin! };
}
