// float64 gradient checks of every differentiable registry op against central finite differences,
// on the seeded random op cases (main/engine/coverage/op-cases.ts), which include broadcasting.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { opCases } from '../../main/engine/coverage/op-cases';
import { registeredOps } from '../../main/engine/ops/index';
import { gradCheck } from '../helpers/gradcheck';

const cases = opCases('float64');

for (const c of cases) {
  test(`gradient: ${c.name}`, async () => {
    const { worst, checked } = await gradCheck(c.inputs, c.build);
    assert.ok(checked > 0);
    assert.ok(worst <= 1e-6);
  });
}

test('every differentiable registry op has a gradient check', () => {
  const covered = new Set(cases.flatMap((c) => c.ops));
  const missing = registeredOps()
    .filter((o) => o.vjp)
    .map((o) => o.name)
    .filter((n) => !covered.has(n));
  assert.deepEqual(missing, [], `ops without a gradient check: ${missing.join(', ')}`);
});
