// Reshape, Transpose, Expand, Slice, Concat, Split: data movement with exact, cheap backward rules.

import type { Value } from '../graph';
import { broadcastShapes, normalizeAxis, resolveReshape, sameShape } from '../shape';
import { formatShape } from '../tensor';
import { betaAxis, sourcesOf, zeroBeta } from '../cd/rules';
import { ShapeError, type TensorSpec } from './op-def';
import { applyOp, defineOp } from './registry';
import { sameDType, unbroadcast } from './arithmetic';
import { zerosOf } from './fill';

const Reshape = defineOp<{ shape: readonly number[] }>({
  name: 'Reshape',
  infer: ([x], { shape }) => [{ dtype: x!.dtype, shape: resolveReshape(x!.shape, shape) }],
  emit: (g, [x], _a, specs) => ({ outputs: g.node('Reshape', [x!, g.ints(specs[0]!.shape)], {}, specs) }),
  vjp: ({ inputs: [x] }, [g]) => [reshape(g!, x!.shape)],
  cd: ({ outputs: [y] }, [b]) => [reshape(b!, [b!.shape[0]!, ...y!.shape])],
});
export const reshape = (x: Value, shape: readonly number[]): Value => applyOp(Reshape, [x], { shape })[0]!;
export const unsqueeze = (x: Value, axis: number): Value => {
  const a = normalizeAxis(axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
};
export const flattenTo2d = (x: Value): Value => reshape(x, [-1, x.shape[x.rank - 1]!]);

const Transpose = defineOp<{ perm: readonly number[] }>({
  name: 'Transpose',
  infer([x], { perm }) {
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x!.rank || sorted.some((p, i) => p !== i)) {
      throw new ShapeError(`perm ${formatShape(perm)} is not a permutation of rank ${x!.rank}`);
    }
    return [{ dtype: x!.dtype, shape: perm.map((p) => x!.shape[p]!) }];
  },
  emit: (g, inputs, { perm }, specs) => ({ outputs: g.node('Transpose', inputs, { perm: { ints: perm } }, specs) }),
  vjp({ attrs: { perm } }, [g]) {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(g!, inverse)];
  },
  cd: ({ attrs: { perm } }, [b]) => [transpose(b!, [0, ...perm.map((p) => p + 1)])],
});
export const transpose = (x: Value, perm: readonly number[]): Value => applyOp(Transpose, [x], { perm })[0]!;
/** Swaps the last two axes. */
export const transposeLast2 = (x: Value): Value => {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1]!, perm[x.rank - 2]!];
  return transpose(x, perm);
};

const Expand = defineOp<{ shape: readonly number[] }>({
  name: 'Expand',
  infer([x], { shape }) {
    const out = broadcastShapes(x!.shape, shape);
    if (!sameShape(out, shape)) throw new ShapeError(`cannot expand ${formatShape(x!.shape)} to ${formatShape(shape)}`);
    return [{ dtype: x!.dtype, shape: out }];
  },
  emit: (g, [x], { shape }, specs) => ({ outputs: g.node('Expand', [x!, g.ints(shape)], {}, specs) }),
  vjp: ({ inputs: [x] }, [g]) => [unbroadcast(g!, x!)],
  cd: ({ inputs: [x], outputs: [y] }, [b]) => {
    const s = b!.shape[0]!;
    const aligned = reshape(b!, [s, ...new Array<number>(y!.rank - x!.rank).fill(1), ...x!.shape]);
    return [expand(aligned, [s, ...y!.shape])];
  },
});
export const expand = (x: Value, shape: readonly number[]): Value => applyOp(Expand, [x], { shape })[0]!;

interface SliceAttrs {
  axis: number;
  start: number;
  end: number;
}
const Slice = defineOp<SliceAttrs>({
  name: 'Slice',
  infer([x], { axis, start, end }) {
    const a = normalizeAxis(axis, x!.rank);
    const dim = x!.shape[a]!;
    if (start < 0 || end > dim || start >= end) {
      throw new ShapeError(`slice [${start}, ${end}) is empty or outside axis ${a} of length ${dim}`);
    }
    const shape = [...x!.shape];
    shape[a] = end - start;
    return [{ dtype: x!.dtype, shape }];
  },
  emit: (g, [x], { axis, start, end }, specs) => ({
    outputs: g.node('Slice', [x!, g.ints([start]), g.ints([end]), g.ints([normalizeAxis(axis, x!.rank)])], {}, specs),
  }),
  vjp({ inputs: [x], attrs: { axis, start, end } }, [g]) {
    // Backward of a slice: pad the gradient with zeros back to the input's extent.
    const a = normalizeAxis(axis, x!.rank);
    const pads = new Array<number>(2 * x!.rank).fill(0);
    pads[a] = start;
    pads[x!.rank + a] = x!.shape[a]! - end;
    const graph = x!.graph;
    const [padded] = graph.node('Pad', [g!, graph.ints(pads)], { mode: { s: 'constant' } }, [{ dtype: x!.dtype, shape: x!.shape }]);
    return [padded!];
  },
  cd: ({ inputs: [x], attrs: { axis, start, end } }, [b]) => [slice(b!, betaAxis(axis, x!.rank), start, end)],
});
/** Elements [start, end) of one axis (step 1). */
export const slice = (x: Value, axis: number, start: number, end: number): Value =>
  applyOp(Slice, [x], { axis, start, end })[0]!;

const Concat = defineOp<{ axis: number }>({
  name: 'Concat',
  infer(inputs, { axis }) {
    sameDType(inputs);
    const first = inputs[0]!;
    const a = normalizeAxis(axis, first.rank);
    let total = 0;
    for (const v of inputs) {
      const ok = v.rank === first.rank && v.shape.every((d, i) => i === a || d === first.shape[i]);
      if (!ok) throw new ShapeError(`concat along axis ${a} needs equal other dimensions`);
      total += v.shape[a]!;
    }
    const shape = [...first.shape];
    shape[a] = total;
    return [{ dtype: first.dtype, shape }] as TensorSpec[];
  },
  emit: (g, inputs, { axis }, specs) => ({
    outputs: g.node('Concat', inputs, { axis: { i: normalizeAxis(axis, inputs[0]!.rank) } }, specs),
  }),
  vjp({ inputs, attrs: { axis } }, [g], needs) {
    const a = normalizeAxis(axis, inputs[0]!.rank);
    const sizes = inputs.map((v) => v.shape[a]!);
    const parts = split(g!, a, sizes);
    return parts.map((p, i) => (needs[i] ? p : null));
  },
  cd: ({ inputs, attrs: { axis } }, betas) => {
    const s = sourcesOf(betas);
    return [concat(inputs.map((v, i) => betas[i] ?? zeroBeta(v, s)), betaAxis(axis, inputs[0]!.rank))];
  },
});
export const concat = (inputs: readonly Value[], axis: number): Value =>
  inputs.length === 1 ? inputs[0]! : applyOp(Concat, inputs, { axis })[0]!;

const Split = defineOp<{ axis: number; sizes: readonly number[] }>({
  name: 'Split',
  infer([x], { axis, sizes }) {
    const a = normalizeAxis(axis, x!.rank);
    const total = sizes.reduce((s, d) => s + d, 0);
    if (total !== x!.shape[a] || sizes.some((d) => d <= 0)) {
      throw new ShapeError(`split sizes ${formatShape(sizes)} do not partition axis ${a} of length ${x!.shape[a]}`);
    }
    return sizes.map((d) => {
      const shape = [...x!.shape];
      shape[a] = d;
      return { dtype: x!.dtype, shape };
    });
  },
  emit: (g, [x], { axis, sizes }, specs) => ({
    outputs: g.node('Split', [x!, g.ints(sizes)], { axis: { i: normalizeAxis(axis, x!.rank) } }, specs),
  }),
  vjp({ outputs, attrs: { axis } }, grads) {
    // Parts without a gradient contribute zeros of their own shape.
    const parts = grads.map((g, i) => g ?? zerosOf(outputs[i]!.graph, outputs[i]!.dtype, outputs[i]!.shape));
    return [concat(parts, axis)];
  },
  cd: ({ inputs: [x], attrs: { axis, sizes } }, [b]) => split(b!, betaAxis(axis, x!.rank), sizes),
});
export const split = (x: Value, axis: number, sizes: readonly number[]): Value[] =>
  sizes.length === 1 ? [x] : applyOp(Split, [x], { axis, sizes });
