// Additive attention masks: 0 where a query may attend, MASK_VALUE where it may not. A large finite
// value (not −∞) keeps fully masked rows (padding queries) finite instead of NaN.

import type { FloatDType } from '../dtype';
import type { Value } from '../graph';
import { hostTensor } from '../tensor';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { add, scale, sub } from './arithmetic';
import { cast } from './cast';
import { reshape } from './shape-ops';

export const MASK_VALUE = -1e9;

interface MaskAttrs {
  causal: boolean;
  dtype: FloatDType;
}

const AttentionMask = defineOp<MaskAttrs>({
  name: 'AttentionMask',
  nonDifferentiable: [0],
  infer([m], { causal, dtype }) {
    if (m!.rank !== 2 || (m!.dtype !== 'int64' && m!.dtype !== 'bool')) {
      throw new ShapeError(`attention mask must be int64 or bool [batch, seq], got ${m!.describe()}`);
    }
    const [b, t] = m!.shape as [number, number];
    return [{ dtype, shape: causal ? [b, 1, t, t] : [b, 1, 1, t] }];
  },
  emit(g, [m], { causal, dtype }) {
    const [b, t] = m!.shape as [number, number];
    const keep = reshape(cast(m!, dtype), [b, 1, 1, t]);
    const padding = scale(sub(g.scalar(1, dtype), keep), MASK_VALUE);
    if (!causal) return { outputs: [padding] };
    const future = new Array<number>(t * t).fill(0);
    for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) future[i * t + j] = MASK_VALUE;
    return { outputs: [add(padding, g.constant(hostTensor(dtype, [1, 1, t, t], future)))] };
  },
});

/**
 * From a [batch, seq] mask of 1 (token) / 0 (padding): an additive mask over keys, [B,1,1,T], or with
 * `causal` also hiding later positions, [B,1,T,T]. Add it to attention scores before the softmax.
 */
export const attentionMask = (mask: Value, dtype: FloatDType, causal: boolean): Value =>
  applyOp(AttentionMask, [mask], { causal, dtype })[0]!;
