// Reverse-mode differentiation over the tape: walk registry-op applications backwards, calling each
// op's VJP only where a gradient arrives and an input leads to a requested tensor. Frozen tensors
// therefore emit no backward nodes; several contributions to one tensor are summed.

import { GraphError, type Value } from './graph';
import { add } from './ops/arithmetic';
import { onesOf } from './ops/fill';
import { sameShape } from './shape';

export function grad(loss: Value, wrt: readonly Value[], seed?: Value): (Value | null)[] {
  const g = loss.graph;
  if (!seed && loss.rank !== 0) throw new GraphError(`grad: loss must be a scalar, got ${loss.describe()}`);

  // Forward pass over the tape: which values depend on a requested tensor.
  const leads = new Set<Value>(wrt);
  for (const entry of g.tape) {
    const nonDiff = entry.op.nonDifferentiable ?? [];
    if (entry.inputs.some((v, i) => leads.has(v) && !nonDiff.includes(i))) entry.outputs.forEach((o) => leads.add(o));
  }
  if (!leads.has(loss)) return wrt.map(() => null);

  const grads = new Map<Value, Value>([[loss, seed ?? onesOf(g, loss.dtype, loss.shape)]]);
  const accumulate = (v: Value, gv: Value) => {
    if (!sameShape(gv.shape, v.shape) || gv.dtype !== v.dtype) {
      throw new GraphError(`grad: gradient ${gv.describe()} does not match ${v.describe()} (engine bug)`);
    }
    const prev = grads.get(v);
    grads.set(v, prev ? add(prev, gv) : gv);
  };

  g.withoutTape(() => {
    for (let k = g.tape.length - 1; k >= 0; k--) {
      const entry = g.tape[k]!;
      const gOut = entry.outputs.map((o) => grads.get(o) ?? null);
      if (gOut.every((x) => x === null)) continue;
      const nonDiff = entry.op.nonDifferentiable ?? [];
      const needs = entry.inputs.map((v, i) => leads.has(v) && !nonDiff.includes(i));
      if (!needs.some(Boolean)) continue;
      if (!entry.op.vjp) throw new GraphError(`grad: op ${entry.op.name} (${entry.scope || 'top'}) has no VJP`);
      const gIn = g.scope(entry.scope ? `grad.${entry.scope}` : "grad", () => entry.op.vjp!(entry, gOut, needs));
      entry.inputs.forEach((v, i) => {
        const gi = gIn[i];
        if (needs[i] && gi) accumulate(v, gi);
      });
    }
  });
  return wrt.map((v) => grads.get(v) ?? null);
}
