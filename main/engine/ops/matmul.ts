// MatMul (batched, broadcasting) and Gemm (2-D with transposes, bias and scale).
// Backward rules are matrix products again; a batched input times a 2-D weight gets its weight gradient
// from one flattened GEMM rather than a batched product summed afterwards.

import { Value } from '../graph';
import { broadcastShapes } from '../shape';
import { formatShape } from '../tensor';
import { gammaOf, signCleanup, unsupported, withBiasShare } from '../cd/rules';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { sameDType, sub, unbroadcast } from './arithmetic';
import { segmentedLinear, type SegmentedWeight } from './segmented-linear';
import { flattenTo2d, reshape, transposeLast2 } from './shape-ops';

const MatMul = defineOp<object>({
  name: 'MatMul',
  infer([a, b]) {
    sameDType([a!, b!]);
    if (a!.rank < 2 || b!.rank < 2) throw new ShapeError('MatMul needs inputs of rank 2 or more');
    const [m, k] = a!.shape.slice(-2) as [number, number];
    const [k2, n] = b!.shape.slice(-2) as [number, number];
    if (k !== k2) {
      throw new ShapeError(`inner dimensions differ: ${formatShape(a!.shape)} · ${formatShape(b!.shape)} (${k} vs ${k2})`);
    }
    const batch = broadcastShapes(a!.shape.slice(0, -2), b!.shape.slice(0, -2));
    return [{ dtype: a!.dtype, shape: [...batch, m, n] }];
  },
  emit: (g, inputs, _a, specs) => ({ outputs: g.node('MatMul', inputs, {}, specs) }),
  vjp({ inputs: [a, b] }, [g], needs) {
    let ga: Value | null = null;
    let gb: Value | null = null;
    if (needs[0]) ga = unbroadcast(matmul(g!, transposeLast2(b!)), a!);
    if (needs[1]) {
      gb =
        b!.rank === 2 && a!.rank > 2
          ? gemm(flattenTo2d(a!), flattenTo2d(g!), { transA: true })
          : unbroadcast(matmul(transposeLast2(a!), g!), b!);
    }
    return [ga, gb];
  },
  // A product with one relevant side is linear in it; with both relevant, γ-first: β' = y − γa·γb.
  cd({ inputs: [a, b], outputs: [y] }, [ba, bb]) {
    if (ba && !bb) return [matmul(ba, b!)];
    if (bb && !ba) return [matmul(a!, bb)];
    return [sub(y!, matmul(gammaOf(a!, ba!), gammaOf(b!, bb!)))];
  },
});
export const matmul = (a: Value, b: Value): Value => applyOp(MatMul, [a, b], {})[0]!;

export interface GemmAttrs {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
}

const Gemm = defineOp<GemmAttrs>({
  name: 'Gemm',
  infer([a, b, c], { transA, transB }) {
    sameDType(c ? [a!, b!, c] : [a!, b!]);
    if (a!.rank !== 2 || b!.rank !== 2) throw new ShapeError('Gemm needs 2-D inputs');
    const [m, k] = transA ? [a!.shape[1]!, a!.shape[0]!] : [a!.shape[0]!, a!.shape[1]!];
    const [k2, n] = transB ? [b!.shape[1]!, b!.shape[0]!] : [b!.shape[0]!, b!.shape[1]!];
    if (k !== k2) {
      throw new ShapeError(
        `inner dimensions differ: ${transA ? 'ᵀ' : ''}${formatShape(a!.shape)} · ${transB ? 'ᵀ' : ''}${formatShape(b!.shape)}`,
      );
    }
    if (c) broadcastShapes(c.shape, [m, n]);
    return [{ dtype: a!.dtype, shape: [m, n] }];
  },
  emit: (g, inputs, { transA, transB, alpha }, specs) => ({
    outputs: g.node(
      'Gemm',
      inputs,
      { transA: { i: transA ? 1 : 0 }, transB: { i: transB ? 1 : 0 }, alpha: { f: alpha ?? 1 } },
      specs,
    ),
  }),
  vjp({ inputs: [a, b, c], attrs: { transA, transB, alpha } }, [g], needs) {
    const s = alpha ?? 1;
    // Y = s·op(A)·op(B) + C
    const ga = !needs[0]
      ? null
      : transA
        ? gemm(b!, g!, { transA: transB, transB: true, alpha: s })
        : gemm(g!, b!, { transB: !transB, alpha: s });
    const gb = !needs[1]
      ? null
      : transB
        ? gemm(g!, a!, { transA: true, transB: transA, alpha: s })
        : gemm(a!, g!, { transA: !transA, alpha: s });
    const gc = c && needs[2] ? unbroadcast(g!, c) : null;
    return c ? [ga, gb, gc] : [ga, gb];
  },
  // A dense layer: β flows through the input only; the bias is split in proportion (ACD / CD-T).
  cd({ inputs: [a, b, c], outputs: [y], attrs: { transA, transB, alpha }, scope }, [ba, bb, bc], options) {
    if (bb || bc || transA) unsupported('Gemm', 'supports relevance through its (untransposed) input only');
    const [s, m] = [ba!.shape[0]!, y!.shape[0]!];
    const rBeta = reshape(gemm(reshape(ba!, [s * m, a!.shape[1]!]), b!, { transB, alpha }), [s, ...y!.shape]);
    if (!c) return [signCleanup(y!, rBeta, options, scope)];
    const rGamma = sub(sub(y!, c), rBeta); // the clean product without bias, minus β's part
    return [signCleanup(y!, withBiasShare(rBeta, rGamma, c, options.tol), options, scope)];
  },
});
export const gemm = (a: Value, b: Value, attrs: GemmAttrs = {}, bias?: Value): Value =>
  applyOp(Gemm, bias ? [a, b, bias] : [a, b], attrs)[0]!;

/**
 * A dense layer in Hugging Face layout: y = x·Wᵀ + b with W [out, in], over any leading dimensions.
 * Flattening to 2-D lets one Gemm (with its bias) do the work in both directions. A weight given in
 * pieces (split parameter layout) goes through the segmented op, which skips frozen pieces' gradients.
 */
export function linear(x: Value, weight: Value | SegmentedWeight, bias?: Value): Value {
  if (!(weight instanceof Value)) return segmentedLinear(x, weight, bias);
  const out = weight.shape[0]!;
  const y = gemm(flattenTo2d(x), weight, { transB: true }, bias);
  return x.rank === 2 ? y : reshape(y, [...x.shape.slice(0, -1), out]);
}
