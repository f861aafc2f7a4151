// Where(cond, a, b) with broadcasting; the condition carries no gradient.

import type { Value } from '../graph';
import { broadcastShapes } from '../shape';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { alignBeta, fitBeta, sourcesOf } from '../cd/rules';
import { sameDType, unbroadcast } from './arithmetic';

const Where = defineOp<object>({
  name: 'Where',
  nonDifferentiable: [0],
  infer([c, a, b]) {
    if (c!.dtype !== 'bool') throw new ShapeError(`condition must be bool, got ${c!.dtype}`);
    sameDType([a!, b!]);
    return [{ dtype: a!.dtype, shape: broadcastShapes(c!.shape, broadcastShapes(a!.shape, b!.shape)) }];
  },
  emit: (g, inputs, _a, specs) => ({ outputs: g.node('Where', inputs, {}, specs) }),
  vjp({ inputs: [c, a, b] }, [g], needs) {
    const zero = g!.graph.scalar(0, g!.dtype);
    return [
      null,
      needs[1] ? unbroadcast(where(c!, g!, zero), a!) : null,
      needs[2] ? unbroadcast(where(c!, zero, g!), b!) : null,
    ];
  },
  cd({ inputs: [c, a, b], outputs: [y] }, [, ba, bb]) {
    const zero = y!.graph.scalar(0, y!.dtype);
    const part = (beta: Value | null | undefined, clean: Value) => (beta ? alignBeta(beta, clean.rank, y!.rank) : zero);
    sourcesOf([ba ?? null, bb ?? null]);
    return [fitBeta(where(c!, part(ba, a!), part(bb, b!)), y!.rank, y!)];
  },
});
export const where = (cond: Value, a: Value, b: Value): Value => applyOp(Where, [cond, a, b], {})[0]!;
