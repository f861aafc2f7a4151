// SwiGLU, the gated MLP activation of Llama and Qwen2: y = silu(gate) · up, as one op so that its
// contextual decomposition is one joint γ-first rule over both branches,
//   β' = y − silu(gate − β_gate) · (up − β_up),
// instead of a SiLU rule followed by a product rule (fewer passes over the widest tensors).

import type { Value } from '../graph';
import { sameShape } from '../shape';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { addScalar, mul, sameDType, sub } from './arithmetic';
import { logistic, silu } from './unary';

const SwiGLU = defineOp<object, { act: Value }>({
  name: 'SwiGLU',
  infer([gate, up]) {
    sameDType([gate!, up!]);
    if (!sameShape(gate!.shape, up!.shape)) throw new ShapeError('gate and up must have the same shape');
    return [{ dtype: gate!.dtype, shape: gate!.shape }];
  },
  emit(_g, [gate, up]) {
    const act = silu(gate!);
    return { outputs: [mul(act, up!)], saved: { act } };
  },
  vjp({ inputs: [gate, up], saved: { act } }, [g], needs) {
    // d up = g·silu(gate);  d gate = g·up·σ(gate)·(1 + gate·(1 − σ(gate))), σ recomputed
    let dGate: Value | null = null;
    if (needs[0]) {
      const s = logistic(gate!);
      dGate = mul(mul(g!, up!), mul(s, addScalar(mul(gate!, sub(gate!.graph.scalar(1, gate!.dtype), s)), 1)));
    }
    return [dGate, needs[1] ? mul(g!, act) : null];
  },
  cd({ inputs: [gate, up], outputs: [y] }, [bGate, bUp]) {
    const gammaGate = bGate ? sub(gate!, bGate) : gate!;
    const gammaUp = bUp ? sub(up!, bUp) : up!;
    return [sub(y!, mul(silu(gammaGate), gammaUp))];
  },
});

/** silu(gate) · up (the SwiGLU feed-forward activation). */
export const swiglu = (gate: Value, up: Value): Value => applyOp(SwiGLU, [gate, up], {})[0]!;
