// Softmax cross-entropy over classes, averaged over rows (optionally weighted per row, e.g. 0 for
// padding positions in language modelling), with the fused backward (softmax − one-hot)·wᵢ/Σw.
// Restricting it to label tokens (the paper's label-word protocol) is a column gather before it.

import type { Value } from '../graph';
import { hostTensor } from '../tensor';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { div, mul, neg, sub } from './arithmetic';
import { cast } from './cast';
import { gather } from './gather';
import { reduceMean, reduceSum } from './reduce';
import { logSoftmax } from './softmax';
import { unsqueeze } from './shape-ops';
import { exp } from './unary';

interface Saved {
  logp: Value;
  onehot: Value;
  /** Per-row factor of the gradient: 1/N, or wᵢ/Σw when weighted. */
  rowScale: Value;
}

const SoftmaxCrossEntropy = defineOp<object, Saved>({
  name: 'SoftmaxCrossEntropy',
  nonDifferentiable: [1, 2],
  infer([logits, labels, weights]) {
    if (logits!.rank !== 2) throw new ShapeError(`logits must be [N, classes], got ${logits!.describe()}`);
    const n = logits!.shape[0];
    if (labels!.dtype !== 'int64' || labels!.rank !== 1 || labels!.shape[0] !== n) {
      throw new ShapeError(`labels must be int64 [${n}], got ${labels!.describe()}`);
    }
    if (weights && (weights.dtype !== logits!.dtype || weights.rank !== 1 || weights.shape[0] !== n)) {
      throw new ShapeError(`row weights must be ${logits!.dtype} [${n}], got ${weights.describe()}`);
    }
    return [{ dtype: logits!.dtype, shape: [] }];
  },
  emit(g, [logits, labels, weights]) {
    const [n, c] = logits!.shape as [number, number];
    const logp = logSoftmax(logits!, -1);
    const classes = g.constant(hostTensor('int64', [1, c], Array.from({ length: c }, (_, i) => i)));
    const [isLabel] = g.node('Equal', [classes, unsqueeze(labels!, 1)], {}, [{ dtype: 'bool', shape: [n, c] }]);
    const onehot = cast(isLabel!, logits!.dtype);
    const nll = neg(reduceSum(mul(logp, onehot), [1])); // [N]
    if (!weights) {
      return { outputs: [reduceMean(nll, [0])], saved: { logp, onehot, rowScale: g.scalar(1 / n, logits!.dtype) } };
    }
    const total = reduceSum(weights, [0]);
    const rowScale = unsqueeze(div(weights, total), 1); // [N, 1]
    return { outputs: [div(reduceSum(mul(nll, weights), [0]), total)], saved: { logp, onehot, rowScale } };
  },
  vjp({ inputs, saved: { logp, onehot, rowScale } }, [g]) {
    const grads: (Value | null)[] = [mul(sub(exp(logp), onehot), mul(rowScale, g!)), null];
    if (inputs.length > 2) grads.push(null);
    return grads;
  },
});

/**
 * Mean over rows of −log softmax(logits)[label]; logits [N, C], labels int64 [N]. With `weights` [N],
 * the weighted mean Σ wᵢ·lossᵢ / Σ wᵢ (rows of weight 0 are ignored).
 */
export const softmaxCrossEntropy = (logits: Value, labels: Value, weights?: Value): Value =>
  applyOp(SoftmaxCrossEntropy, weights ? [logits, labels, weights] : [logits, labels], {})[0]!;

/** Cross-entropy over a restricted set of columns (label tokens): logits [N, V], tokenIds int64 [C]. */
export const restrictedCrossEntropy = (logits: Value, tokenIds: Value, labels: Value): Value =>
  softmaxCrossEntropy(gather(logits, tokenIds, 1), labels);
