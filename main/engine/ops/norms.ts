// LayerNorm and RMSNorm over the last axis, with hand-written backward rules that reuse the forward's
// statistics. float32 LayerNorm is one fused LayerNormalization node; float64 is decomposed because
// onnxruntime's CPU kernel keeps its statistics in float32 for double inputs.

import type { Value } from '../graph';
import { sameShape } from '../shape';
import { formatShape } from '../tensor';
import { ShapeError, type TensorSpec } from './op-def';
import { biasShare, gammaOf } from '../cd/rules';
import { applyOp, defineOp } from './registry';
import { add, addScalar, mul, sameDType, sub } from './arithmetic';
import { reduceMean, reduceSum } from './reduce';
import { reciprocal, sqrt } from './unary';

interface NormSaved {
  mean?: Value;
  invStd: Value;
}

function inferNorm(inputs: readonly Value[]): TensorSpec[] {
  sameDType(inputs);
  const [x, ...params] = inputs;
  const d = x!.shape[x!.rank - 1]!;
  for (const p of params) {
    if (!sameShape(p.shape, [d])) throw new ShapeError(`norm parameter ${p.describe()} must be ${formatShape([d])}`);
  }
  return [{ dtype: x!.dtype, shape: x!.shape }];
}

/** Sum over every axis but the last: the gradient of a per-feature parameter. */
function sumLeading(x: Value): Value {
  return reduceSum(x, [...Array(x.rank - 1).keys()], false);
}

/** Shared backward of x̂ = (x − mean)·invStd (or x·invStd): dx = invStd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)). */
function normalizedBackward(xhat: Value, invStd: Value, dxhat: Value, centred: boolean): Value {
  const projection = mul(xhat, reduceMean(mul(dxhat, xhat), [-1], true));
  const inner = centred ? sub(sub(dxhat, reduceMean(dxhat, [-1], true)), projection) : sub(dxhat, projection);
  return mul(inner, invStd);
}

const LayerNorm = defineOp<{ epsilon: number }, NormSaved>({
  name: 'LayerNorm',
  infer: inferNorm,
  emit(g, [x, w, b], { epsilon }, specs) {
    const statShape = [...x!.shape.slice(0, -1), 1];
    if (x!.dtype === 'float32') {
      const [y, mean, invStd] = g.node('LayerNormalization', [x!, w!, b!], { axis: { i: -1 }, epsilon: { f: epsilon } }, [
        specs[0]!,
        { dtype: 'float32', shape: statShape },
        { dtype: 'float32', shape: statShape },
      ]);
      return { outputs: [y!], saved: { mean: mean!, invStd: invStd! } };
    }
    const mean = reduceMean(x!, [-1], true);
    const centred = sub(x!, mean);
    const invStd = reciprocal(sqrt(addScalar(reduceMean(mul(centred, centred), [-1], true), epsilon)));
    return { outputs: [add(mul(mul(centred, invStd), w!), b!)], saved: { mean, invStd } };
  },
  vjp({ inputs: [x, w], saved: { mean, invStd } }, [g], needs) {
    const xhat = mul(sub(x!, mean!), invStd);
    return [
      needs[0] ? normalizedBackward(xhat, invStd, mul(g!, w!), true) : null,
      needs[1] ? sumLeading(mul(g!, xhat)) : null,
      needs[2] ? sumLeading(g!) : null,
    ];
  },
  // CD-T: both parts are centred by their own mean and scaled by the total's inverse std; the bias is
  // split in proportion to |β| and |γ| of the input.
  cd({ inputs: [x, w, bias], saved: { invStd } }, [b], { tol }) {
    const scaled = mul(mul(sub(b!, reduceMean(b!, [-1], true)), invStd), w!);
    return [add(scaled, mul(bias!, biasShare(b!, gammaOf(x!, b!), tol)))];
  },
});
/** LayerNorm over the last axis: (x − mean)/sqrt(var + ε)·w + b. */
export const layerNorm = (x: Value, weight: Value, bias: Value, epsilon: number): Value =>
  applyOp(LayerNorm, [x, weight, bias], { epsilon })[0]!;

const RmsNorm = defineOp<{ epsilon: number }, NormSaved>({
  name: 'RMSNorm',
  infer: inferNorm,
  emit(_g, [x, w], { epsilon }) {
    const invStd = reciprocal(sqrt(addScalar(reduceMean(mul(x!, x!), [-1], true), epsilon)));
    return { outputs: [mul(mul(x!, invStd), w!)], saved: { invStd } };
  },
  vjp({ inputs: [x, w], saved: { invStd } }, [g], needs) {
    const xhat = mul(x!, invStd);
    return [
      needs[0] ? normalizedBackward(xhat, invStd, mul(g!, w!), false) : null,
      needs[1] ? sumLeading(mul(g!, xhat)) : null,
    ];
  },
  // No centring and no bias: β is scaled by the total's inverse RMS and the weight.
  cd: ({ inputs: [, w], saved: { invStd } }, [b]) => [mul(mul(b!, invStd), w!)],
});
/** RMSNorm over the last axis (Llama / Qwen2): x / sqrt(mean(x²) + ε)·w. */
export const rmsNorm = (x: Value, weight: Value, epsilon: number): Value => applyOp(RmsNorm, [x, weight], { epsilon })[0]!;
