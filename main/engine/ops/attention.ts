// Scaled dot-product attention as one registry op:
//   S = q·kᵀ·scale + mask,  P = softmax(S),  out = P·v
// One tape entry for the whole pattern keeps its backward compact and gives circuit discovery one
// place for its attention rules. Backward, with g = ∂L/∂out:
//   dv = Pᵀ·g,  dP = g·vᵀ,  dS = P ⊙ (dP − Σₖ dP⊙P),  dq = dS·k·scale,  dk = dSᵀ·q·scale

import type { Value } from '../graph';
import { broadcastShapes, sameShape } from '../shape';
import { formatShape } from '../tensor';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { add, mul, sameDType, scale as scaleBy, sub } from './arithmetic';
import { matmul } from './matmul';
import { reduceSum } from './reduce';
import { softmax } from './softmax';
import { expand, transposeLast2 } from './shape-ops';

interface Attrs {
  scale: number;
}

const ScaledDotProductAttention = defineOp<Attrs, { probs: Value }>({
  name: 'ScaledDotProductAttention',
  nonDifferentiable: [3],
  infer([q, k, v, mask]) {
    sameDType([q!, k!, v!, mask!]);
    if (q!.rank !== 4 || k!.rank !== 4 || v!.rank !== 4) throw new ShapeError('q, k and v must be [batch, heads, seq, dim]');
    const [b, h, tq, dh] = q!.shape as [number, number, number, number];
    const [tk, dv] = [k!.shape[2]!, v!.shape[3]!];
    if (!sameShape(k!.shape, [b, h, tk, dh]) || !sameShape(v!.shape, [b, h, tk, dv])) {
      throw new ShapeError(`k ${formatShape(k!.shape)} and v ${formatShape(v!.shape)} do not match q ${formatShape(q!.shape)}`);
    }
    if (!sameShape(broadcastShapes(mask!.shape, [b, h, tq, tk]), [b, h, tq, tk])) {
      throw new ShapeError(`mask ${formatShape(mask!.shape)} does not broadcast to the scores [${b},${h},${tq},${tk}]`);
    }
    return [{ dtype: q!.dtype, shape: [b, h, tq, dv] }];
  },
  emit(_g, [q, k, v, mask], { scale }) {
    const probs = softmax(add(scaleBy(matmul(q!, transposeLast2(k!)), scale), mask!), -1);
    return { outputs: [matmul(probs, v!)], saved: { probs } };
  },
  vjp({ inputs: [q, k, v], attrs: { scale }, saved: { probs } }, [g], needs) {
    const dv = needs[2] ? matmul(transposeLast2(probs), g!) : null;
    if (!needs[0] && !needs[1]) return [null, null, dv, null];
    const dp = matmul(g!, transposeLast2(v!));
    const ds = mul(probs, sub(dp, reduceSum(mul(dp, probs), [-1], true)));
    const dq = needs[0] ? scaleBy(matmul(ds, k!), scale) : null;
    const dk = needs[1] ? scaleBy(matmul(transposeLast2(ds), q!), scale) : null;
    return [dq, dk, dv, null];
  },
  // 'fixed': the clean pattern carries both parts, β' = P·βv (relevance through values only).
  // 'beta-softmax': β gets its own pattern from β·β scores, β' = softmax(βq·βkᵀ·scale + mask)·βv; with
  // βq = βk = 0 that pattern is uniform over the allowed keys (the reference code's "uniform leak").
  cdReads: (_attrs, { attention }) => (attention === 'fixed' ? [false, false, true, false] : [true, true, true, false]),
  cd({ inputs: [, , , mask], attrs: { scale }, saved: { probs } }, [bq, bk, bv], { attention }) {
    if (!bv) return [null];
    if (attention === 'fixed') return [matmul(probs, bv)];
    // Without relevant queries and keys the β·β scores are zero: the pattern is uniform over allowed keys.
    const scores = bq && bk ? add(scaleBy(matmul(bq, transposeLast2(bk)), scale), mask!) : expand(mask!, probs.shape);
    return [matmul(softmax(scores, -1), bv)];
  },
});

/** softmax(q·kᵀ·scale + mask)·v for q [B,H,Tq,Dh], k [B,H,Tk,Dh], v [B,H,Tk,Dv], additive mask. */
export const scaledDotProductAttention = (q: Value, k: Value, v: Value, mask: Value, scale = 1 / Math.sqrt(q.shape[3]!)): Value =>
  applyOp(ScaledDotProductAttention, [q, k, v, mask], { scale })[0]!;
