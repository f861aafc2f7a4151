// Mean softmax cross-entropy over classes, with the fused backward (softmax − one-hot)/N.
// Restricting it to label tokens (the paper's label-word protocol) is a column gather before it.

import type { Value } from '../graph';
import { hostTensor } from '../tensor';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { mul, neg, scale, sub } from './arithmetic';
import { cast } from './cast';
import { gather } from './gather';
import { reduceMean, reduceSum } from './reduce';
import { logSoftmax } from './softmax';
import { unsqueeze } from './shape-ops';
import { exp } from './unary';

const SoftmaxCrossEntropy = defineOp<object, { logp: Value; onehot: Value }>({
  name: 'SoftmaxCrossEntropy',
  nonDifferentiable: [1],
  infer([logits, labels]) {
    if (logits!.rank !== 2) throw new ShapeError(`logits must be [N, classes], got ${logits!.describe()}`);
    if (labels!.dtype !== 'int64' || labels!.rank !== 1 || labels!.shape[0] !== logits!.shape[0]) {
      throw new ShapeError(`labels must be int64 [${logits!.shape[0]}], got ${labels!.describe()}`);
    }
    return [{ dtype: logits!.dtype, shape: [] }];
  },
  emit(g, [logits, labels]) {
    const [n, c] = logits!.shape as [number, number];
    const logp = logSoftmax(logits!, -1);
    const classes = g.constant(hostTensor('int64', [1, c], Array.from({ length: c }, (_, i) => i)));
    const [isLabel] = g.node('Equal', [classes, unsqueeze(labels!, 1)], {}, [{ dtype: 'bool', shape: [n, c] }]);
    const onehot = cast(isLabel!, logits!.dtype);
    const picked = reduceSum(mul(logp, onehot), [1]);
    return { outputs: [neg(reduceMean(picked, [0]))], saved: { logp, onehot } };
  },
  vjp({ inputs: [logits], saved: { logp, onehot } }, [g]) {
    const n = logits!.shape[0]!;
    return [mul(sub(exp(logp), onehot), scale(g!, 1 / n)), null];
  },
});

/** Mean over rows of −log softmax(logits)[label]; logits [N, C], labels int64 [N]. */
export const softmaxCrossEntropy = (logits: Value, labels: Value): Value =>
  applyOp(SoftmaxCrossEntropy, [logits, labels], {})[0]!;

/** Cross-entropy over a restricted set of columns (label tokens): logits [N, V], tokenIds int64 [C]. */
export const restrictedCrossEntropy = (logits: Value, tokenIds: Value, labels: Value): Value =>
  softmaxCrossEntropy(gather(logits, tokenIds, 1), labels);
