// A dense layer whose weight arrives in pieces along one axis (the split parameter layout: a head's
// rows or columns are trainable inputs, the rest frozen initializers). The forward joins the pieces and
// runs one GEMM; the backward computes a weight gradient only for pieces that need one, so a frozen
// 90% of a matrix costs no weight-gradient GEMM at all.
//   axis 0 (output rows r0..r1):  dWᵢ = g[:, r0:r1]ᵀ · x
//   axis 1 (input columns c0..c1): dWᵢ = gᵀ · x[:, c0:c1]

import type { Value } from '../graph';
import { signCleanup, unsupported, withBiasShare } from '../cd/rules';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { sameDType, sub } from './arithmetic';
import { gemm } from './matmul';
import { reduceSum } from './reduce';
import { concat, flattenTo2d, reshape, slice } from './shape-ops';

export interface SegmentedWeight {
  /** 0: pieces stack output rows of W [out, in]; 1: pieces stack input columns. */
  axis: 0 | 1;
  parts: Value[];
}

interface Attrs {
  axis: 0 | 1;
  parts: number;
}

const LinearSegments = defineOp<Attrs, { weight: Value; x2d: Value }>({
  name: 'LinearSegments',
  infer(inputs, { axis, parts }) {
    sameDType(inputs);
    const [x, ...rest] = inputs;
    const pieces = rest.slice(0, parts);
    const bias = rest[parts];
    const other = 1 - axis;
    const out = axis === 0 ? pieces.reduce((s, p) => s + p.shape[0]!, 0) : pieces[0]!.shape[0]!;
    const inDim = axis === 1 ? pieces.reduce((s, p) => s + p.shape[1]!, 0) : pieces[0]!.shape[1]!;
    if (pieces.some((p) => p.rank !== 2 || p.shape[other] !== pieces[0]!.shape[other])) {
      throw new ShapeError(`weight pieces must be 2-D and agree on axis ${other}`);
    }
    if (x!.shape[x!.rank - 1] !== inDim) throw new ShapeError(`input features ${x!.shape[x!.rank - 1]} ≠ weight columns ${inDim}`);
    if (bias && (bias.rank !== 1 || bias.shape[0] !== out)) throw new ShapeError(`bias must be [${out}]`);
    return [{ dtype: x!.dtype, shape: [...x!.shape.slice(0, -1), out] }];
  },
  emit(_g, inputs, { axis, parts }, specs) {
    const [x, ...rest] = inputs;
    const weight = concat(rest.slice(0, parts), axis);
    const x2d = flattenTo2d(x!);
    const y = gemm(x2d, weight, { transB: true }, rest[parts]);
    return { outputs: [reshape(y, specs[0]!.shape)], saved: { weight, x2d } };
  },
  vjp({ inputs, attrs: { axis, parts }, saved: { weight, x2d } }, [g], needs) {
    const x = inputs[0]!;
    const g2d = flattenTo2d(g!);
    const grads: (Value | null)[] = [needs[0] ? reshape(gemm(g2d, weight), x.shape) : null];
    let at = 0;
    for (const p of inputs.slice(1, 1 + parts)) {
      const width = p.shape[axis]!;
      const i = grads.length;
      if (!needs[i]) grads.push(null);
      else if (axis === 0) grads.push(gemm(slice(g2d, 1, at, at + width), x2d, { transA: true }));
      else grads.push(gemm(g2d, slice(x2d, 1, at, at + width), { transA: true }));
      at += width;
    }
    if (inputs.length > 1 + parts) grads.push(needs[1 + parts] ? reduceSum(g2d, [0]) : null);
    return grads;
  },
  // As a dense layer over the joined weight: β through the input, the bias split in proportion.
  cd({ inputs, outputs: [y], attrs: { parts }, saved: { weight }, scope }, betas, options) {
    if (betas.slice(1).some((b) => b)) unsupported('LinearSegments', 'supports relevance through its input only');
    const [x, bias] = [inputs[0]!, inputs[1 + parts]];
    const b = betas[0]!;
    const s = b.shape[0]!;
    const flat = reshape(b, [-1, x.shape[x.rank - 1]!]);
    const rBeta = reshape(gemm(flat, weight, { transB: true }), [s, ...y!.shape]);
    if (!bias) return [signCleanup(y!, rBeta, options, scope)];
    const rGamma = sub(sub(y!, bias), rBeta);
    return [signCleanup(y!, withBiasShare(rBeta, rGamma, bias, options.tol), options, scope)];
  },
});

export function segmentedLinear(x: Value, weight: SegmentedWeight, bias?: Value): Value {
  const inputs = [x, ...weight.parts, ...(bias ? [bias] : [])];
  return applyOp(LinearSegments, inputs, { axis: weight.axis, parts: weight.parts.length })[0]!;
}

