// Small graphs exercising every differentiable registry op (random shapes including broadcasting):
// the float64 finite-difference gradient checks run them, and so does the op-coverage check that
// compares an execution provider with the CPU before a user's run depends on it.

import type { FloatDType } from '../dtype';
import type { Graph, Value } from '../graph';
import * as op from '../ops/index';
import { Rng } from '../random';
import { hostTensor, sizeOf } from '../tensor';

export interface CaseInput {
  name: string;
  shape: number[];
  /** Values of a non-differentiable integer input (indices, labels, masks). */
  ints?: number[];
  /** Make the input a positive float (for Sqrt, Log, divisors). */
  positive?: boolean;
}

export interface OpCase {
  name: string;
  /** Registry ops the case exercises. */
  ops: string[];
  inputs: CaseInput[];
  build: (g: Graph, xs: Value[]) => Value;
}

export function opCases(dtype: FloatDType, seed = 20261128): OpCase[] {
  const rng = new Rng(seed);
  const dim = (lo = 2, hi = 5) => lo + rng.int(hi - lo + 1);
  const f = (name: string, shape: number[], extra: Partial<CaseInput> = {}): CaseInput => ({ name, shape, ...extra });
  const ints = (name: string, shape: number[], below: number): CaseInput => ({
    name,
    shape,
    ints: Array.from({ length: sizeOf(shape) }, () => rng.int(below)),
  });
  const cases: OpCase[] = [];
  const add = (name: string, ops: string[], inputs: CaseInput[], build: (g: Graph, xs: Value[]) => Value) => cases.push({ name, ops, inputs, build });

  const [B, T, D] = [dim(), dim(), dim(3, 6)];

  add('Add broadcasting [B,T,D] + [T,1]', ['Add'], [f('a', [B, T, D]), f('b', [T, 1])], (_g, [a, b]) => op.add(a!, b!));
  add('Sub broadcasting [D] - [B,1,D]', ['Sub'], [f('a', [D]), f('b', [B, 1, D])], (_g, [a, b]) => op.sub(a!, b!));
  add('Mul broadcasting [B,T,1] * [D]', ['Mul'], [f('a', [B, T, 1]), f('b', [D])], (_g, [a, b]) => op.mul(a!, b!));
  add('Div broadcasting [B,T,D] / [B,1,1]', ['Div'], [f('a', [B, T, D]), f('b', [B, 1, 1], { positive: true })], (_g, [a, b]) =>
    op.div(a!, b!),
  );
  add('Neg', ['Neg'], [f('x', [B, D])], (_g, [x]) => op.neg(x!));
  add('Exp', ['Exp'], [f('x', [B, D])], (_g, [x]) => op.exp(x!));
  add('Log', ['Log'], [f('x', [B, D], { positive: true })], (_g, [x]) => op.log(x!));
  add('Sqrt', ['Sqrt'], [f('x', [B, D], { positive: true })], (_g, [x]) => op.sqrt(x!));
  add('Reciprocal', ['Reciprocal'], [f('x', [B, D], { positive: true })], (_g, [x]) => op.reciprocal(x!));
  add('Tanh', ['Tanh'], [f('x', [B, T, D])], (_g, [x]) => op.tanh(x!));
  add('Sigmoid', ['Sigmoid'], [f('x', [B, T, D])], (_g, [x]) => op.sigmoid(x!));
  add('Abs', ['Abs'], [f('x', [B, T, D])], (_g, [x]) => op.abs(x!));
  add('Relu', ['Relu'], [f('x', [B, T, D])], (_g, [x]) => op.relu(x!));
  add('SwiGLU', ['SwiGLU'], [f('gate', [B, T, D]), f('up', [B, T, D])], (_g, [gate, up]) => op.swiglu(gate!, up!));
  add('SiLU', ['SiLU'], [f('x', [B, T, D])], (_g, [x]) => op.silu(x!));
  add('GELU (erf)', ['Gelu'], [f('x', [B, T, D])], (_g, [x]) => op.gelu(x!, 'erf'));
  add('GELU (tanh)', ['Gelu'], [f('x', [B, T, D])], (_g, [x]) => op.gelu(x!, 'tanh'));

  add('MatMul batched × 2-D weight', ['MatMul'], [f('a', [B, T, D]), f('b', [D, 3])], (_g, [a, b]) => op.matmul(a!, b!));
  add('MatMul broadcasting batch dims', ['MatMul'], [f('a', [2, 1, T, D]), f('b', [3, D, 2])], (_g, [a, b]) =>
    op.matmul(a!, b!),
  );
  add('MatMul 2-D × batched', ['MatMul'], [f('a', [T, D]), f('b', [B, D, 2])], (_g, [a, b]) => op.matmul(a!, b!));
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      const [m, k, n] = [dim(), dim(), dim()];
      add(
        `Gemm transA=${transA} transB=${transB} with bias and alpha`,
        ['Gemm'],
        [f('a', transA ? [k, m] : [m, k]), f('b', transB ? [n, k] : [k, n]), f('c', [n])],
        (_g, [a, b, c]) => op.gemm(a!, b!, { transA, transB, alpha: 0.7 }, c!),
      );
    }
  }
  add('linear over [B,T,D]', ['Gemm', 'Reshape'], [f('x', [B, T, D]), f('w', [4, D]), f('b', [4])], (_g, [x, w, b]) =>
    op.linear(x!, w!, b!),
  );

  add('LinearSegments, weight rows in pieces (one frozen)', ['LinearSegments'], [f('x', [B, T, D]), f('w0', [2, D]), f('w2', [3, D]), f('b', [6])], (g, [x, w0, w2, b]) =>
    op.linear(x!, { axis: 0, parts: [w0!, g.constant(hostTensor(dtype, [1, D], Array.from({ length: D }, () => rng.normal()))), w2!] }, b!),
  );
  add('LinearSegments, weight columns in pieces', ['LinearSegments'], [f('x', [B, T, 5]), f('w0', [D, 2]), f('w1', [D, 3])], (_g, [x, w0, w1]) =>
    op.linear(x!, { axis: 1, parts: [w0!, w1!] }),
  );
  add('ReduceSum keepdims', ['ReduceSum'], [f('x', [B, T, D])], (_g, [x]) => op.reduceSum(x!, [0, 2], true));
  add('ReduceMean', ['ReduceMean'], [f('x', [B, T, D])], (_g, [x]) => op.reduceMean(x!, [1], false));
  add('Reshape', ['Reshape'], [f('x', [B, T, D])], (_g, [x]) => op.reshape(x!, [T, -1]));
  add('Transpose', ['Transpose'], [f('x', [B, T, D])], (_g, [x]) => op.transpose(x!, [2, 0, 1]));
  add('Expand', ['Expand'], [f('x', [T, 1])], (_g, [x]) => op.expand(x!, [B, T, D]));
  add('Slice', ['Slice'], [f('x', [B, T, D])], (_g, [x]) => op.slice(x!, 2, 1, D - 1));
  add('Concat', ['Concat'], [f('a', [B, 2, D]), f('b', [B, T, D])], (_g, [a, b]) => op.concat([a!, b!], 1));
  add('Split (one part unused)', ['Split'], [f('x', [B, 5])], (_g, [x]) => {
    const [p, , r] = op.split(x!, 1, [2, 1, 2]);
    return op.mul(p!, r!);
  });
  add('Cast round trip', ['Cast'], [f('x', [B, D])], (_g, [x]) => op.cast(op.cast(x!, dtype), dtype));

  add('Softmax (last axis)', ['Softmax'], [f('x', [B, T, D])], (_g, [x]) => op.softmax(x!, -1));
  add('Softmax (middle axis)', ['Softmax'], [f('x', [B, T, D])], (_g, [x]) => op.softmax(x!, 1));
  add('LogSoftmax', ['LogSoftmax'], [f('x', [B, D])], (_g, [x]) => op.logSoftmax(x!, -1));
  add('LayerNorm', ['LayerNorm'], [f('x', [B, T, D]), f('w', [D]), f('b', [D])], (_g, [x, w, b]) =>
    op.layerNorm(x!, w!, b!, 1e-5),
  );
  add('RMSNorm', ['RMSNorm'], [f('x', [B, T, D]), f('w', [D])], (_g, [x, w]) => op.rmsNorm(x!, w!, 1e-6));

  add('Gather rows (embedding, repeated ids)', ['Gather'], [f('w', [7, D]), { name: 'ids', shape: [B, 3], ints: Array.from({ length: B * 3 }, (_, i) => i % 2) }], (_g, [w, ids]) =>
    op.gather(w!, ids!, 0),
  );
  add('Gather columns (axis 1)', ['Gather'], [f('x', [B, 6, D]), ints('idx', [2, 2], 6)], (_g, [x, idx]) => op.gather(x!, idx!, 1));
  add('pickRows (label position per row)', ['Gather'], [f('x', [B, T, D]), ints('pos', [B], T)], (_g, [x, pos]) =>
    op.pickRows(x!, pos!),
  );
  add('Where with broadcasting', ['Where'], [f('a', [B, T, D]), f('b', [D])], (g, [a, b]) => {
    const cond = g.constant(hostTensor('bool', [T, D], Array.from({ length: T * D }, () => rng.int(2))));
    return op.where(cond, a!, b!);
  });
  add('Rotary position embedding', ['Rotary'], [f('x', [B, 2, T, 4]), ints('pos', [B, T], 9)], (_g, [x, pos]) => {
    const { cos, sin } = op.rotaryTables(pos!, 4, 10000, dtype);
    return op.rotary(x!, cos, sin);
  });
  add('masked softmax (causal + padding)', ['AttentionMask'], [f('s', [B, 1, T, T]), { name: 'mask', shape: [B, T], ints: Array.from({ length: B * T }, (_, i) => (i % T === T - 1 ? 0 : 1)) }], (_g, [s, mask]) =>
    op.softmax(op.add(s!, op.attentionMask(mask!, dtype, true)), -1),
  );
  add('scaled dot-product attention (causal + padding mask)', ['ScaledDotProductAttention'], [f('q', [B, 2, T, 3]), f('k', [B, 2, T, 3]), f('v', [B, 2, T, 4]), { name: 'mask', shape: [B, T], ints: Array.from({ length: B * T }, (_, i) => (i % T === T - 1 ? 0 : 1)) }], (_g, [q, k, v, mask]) =>
    op.scaledDotProductAttention(q!, k!, v!, op.attentionMask(mask!, dtype, true)),
  );
  add('softmax cross-entropy over classes', ['SoftmaxCrossEntropy'], [f('logits', [B, 3]), ints('labels', [B], 3)], (_g, [l, y]) =>
    op.softmaxCrossEntropy(l!, y!),
  );
  add('softmax cross-entropy with row weights (a padded row ignored)', ['SoftmaxCrossEntropy'], [f('logits', [B, 4]), ints('labels', [B], 4)], (g, [l, y]) =>
    op.softmaxCrossEntropy(l!, y!, g.constant(hostTensor(dtype, [B], Array.from({ length: B }, (_, i) => (i === 0 ? 0 : 0.5 + i))))),
  );
  add('cross-entropy over restricted label tokens', ['SoftmaxCrossEntropy', 'Gather'], [f('logits', [B, 11]), ints('labels', [B], 3)], (g, [l, y]) =>
    op.restrictedCrossEntropy(l!, g.constant(hostTensor('int64', [3], [7, 2, 9])), y!),
  );
  return cases;
}
