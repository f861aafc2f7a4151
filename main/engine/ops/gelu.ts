// GELU in its exact (erf) and tanh-approximated forms.
// float32 uses ONNX's Gelu op (opset 20). onnxruntime has no double Erf or Gelu, so float64 graphs
// evaluate erf by its everywhere-convergent series
//   erf(z) = 2/√π · z · e^(−z²) · Σ (2z²)ⁿ / (2n+1)!!
// with |z| clamped at 6 (where erf = ±1 in double precision); it agrees with erf to ~1e-15.

import type { Graph, Value } from '../graph';
import { gammaFirst } from '../cd/rules';
import { applyOp, defineOp } from './registry';
import { add, addScalar, mul, scale, sub } from './arithmetic';
import { exp, tanh } from './unary';

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TANH_C = Math.sqrt(2 / Math.PI);
const TANH_K = 0.044715;

const ERF_CLAMP = 6;
/** Ratios of consecutive series coefficients, 2/(2n+1): nested as 1 + r₁u(1 + r₂u(1 + …)). */
const ERF_RATIOS = Array.from({ length: 100 }, (_, i) => 2 / (2 * i + 3));

// The coefficients are nested as ratios (all ≥ 0.01) rather than expanded (down to 1e-161):
// onnxruntime's NoopElimination drops an Add whose double constant is 0 once narrowed to float,
// which silently truncated the expanded series near |x| ≈ 5.
function erf64(g: Graph, z: Value): Value {
  const [zc] = g.node('Clip', [z, g.scalar(-ERF_CLAMP, 'float64'), g.scalar(ERF_CLAMP, 'float64')], {}, [z]);
  const u = mul(zc!, zc!);
  let s = g.scalar(1, 'float64');
  for (let n = ERF_RATIOS.length - 1; n >= 0; n--) s = addScalar(scale(mul(s, u), ERF_RATIOS[n]!), 1);
  return mul(scale(mul(zc!, exp(scale(u, -1))), 2 / Math.sqrt(Math.PI)), s);
}

function erf(g: Graph, z: Value): Value {
  if (z.dtype === 'float64') return erf64(g, z);
  return g.node('Erf', [z], {}, [z])[0]!;
}

export type GeluForm = 'erf' | 'tanh';

/** Φ(x) for the erf form, or ½(1 + tanh(c(x + k x³))) for the tanh form. */
function cdfOf(g: Graph, x: Value, form: GeluForm): Value {
  if (form === 'erf') return scale(addScalar(erf(g, scale(x, SQRT_HALF)), 1), 0.5);
  const x3 = mul(mul(x, x), x);
  return scale(addScalar(tanh(scale(add(x, scale(x3, TANH_K)), TANH_C)), 1), 0.5);
}

// float32 emits ONNX's fused Gelu kernel and recomputes the CDF in the backward pass; float64 (no
// double kernel) spells GELU out and keeps the CDF from the forward.
const Gelu = defineOp<{ form: GeluForm }, { cdf?: Value }>({
  name: 'Gelu',
  infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
  emit(g, [x], { form }, specs) {
    if (x!.dtype === 'float32') {
      return { outputs: g.node('Gelu', [x!], { approximate: { s: form === 'erf' ? 'none' : 'tanh' } }, specs), saved: {} };
    }
    const cdf = cdfOf(g, x!, form);
    return { outputs: [mul(x!, cdf)], saved: { cdf } };
  },
  vjp({ graph, inputs: [x], attrs: { form }, saved }, [g]) {
    const cdf = saved.cdf ?? cdfOf(graph, x!, form);
    if (form === 'erf') {
      // dy/dx = Φ(x) + x·φ(x)
      const pdf = scale(exp(scale(mul(x!, x!), -0.5)), INV_SQRT_2PI);
      return [mul(g!, add(cdf, mul(x!, pdf)))];
    }
    // dy/dx = ½(1 + t) + ½x(1 − t²)·c(1 + 3k x²), with ½(1 − t²) = 2·cdf·(1 − cdf)
    const half1mt2 = scale(mul(cdf, sub(x!.graph.scalar(1, x!.dtype), cdf)), 2);
    const du = scale(addScalar(scale(mul(x!, x!), 3 * TANH_K), 1), TANH_C);
    return [mul(g!, add(cdf, mul(mul(x!, half1mt2), du)))];
  },
  cd: ({ inputs: [x], outputs: [y], attrs: { form } }, [b]) => [gammaFirst(x!, y!, b!, (v) => gelu(v, form))],
});

export const gelu = (x: Value, form: GeluForm = 'erf'): Value => applyOp(Gelu, [x], { form })[0]!;
