// The op-coverage check: a provider whose gradients alone differ is caught on every differentiable
// op (so each one's backward is compared), and one whose forward results differ or that cannot run
// a graph is reported case by case (both simulated on the CPU).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOpCoverage } from '../../main/engine/coverage/check';
import { registeredOps } from '../../main/engine/ops/index';
import { LocalRunner, type RunRequest, type Runner } from '../../main/engine/runtime/runner';
import type { HostTensor } from '../../main/engine/tensor';
import { testRunner } from '../helpers/engine';

/** A runner whose Gemm-containing graphs come back slightly wrong, and whose Rotary graphs fail. */
class FaultyRunner extends LocalRunner {
  private kinds = new Map<number, string>();
  override async load(model: Parameters<Runner['load']>[0]) {
    const info = await super.load(model);
    const text = new TextDecoder().decode(model.bytes);
    this.kinds.set(info.id, text.includes('Sin') ? 'rotary' : text.includes('Gemm') ? 'gemm' : 'plain');
    return info;
  }
  override async run(session: number, request: RunRequest): Promise<Record<string, HostTensor>> {
    if (this.kinds.get(session) === 'rotary') throw new Error('no kernel for Sin in this provider');
    const out = await super.run(session, request);
    if (this.kinds.get(session) === 'gemm') (out.y!.data as Float32Array)[0]! += 0.5;
    return out;
  }
}

/** A runner whose input gradients (never the forward outputs) come back off by 0.01. */
class GradientSkewRunner extends LocalRunner {
  override async run(session: number, request: RunRequest): Promise<Record<string, HostTensor>> {
    const out = await super.run(session, request);
    for (const [name, t] of Object.entries(out)) if (name.startsWith('grad.')) (t.data as Float32Array).forEach((x, i, a) => (a[i] = x + 0.01));
    return out;
  }
}

test('a provider whose gradients alone are off fails the case of every differentiable op', async () => {
  const target = new GradientSkewRunner({ threads: 2, provider: 'cpu' });
  const rows = await checkOpCoverage(target, testRunner());
  await target.close();
  assert.ok(rows.every((r) => r.error === undefined), 'every case runs');
  const failed = new Set(rows.filter((r) => !r.ok).flatMap((r) => r.ops));
  const unchecked = registeredOps().filter((o) => o.vjp && !failed.has(o.name)).map((o) => o.name);
  assert.deepEqual(unchecked, [], 'a differentiable op whose backward is not compared');
});

test('a provider with a wrong or missing kernel is reported case by case', async () => {
  const target = new FaultyRunner({ threads: 2, provider: 'cpu' });
  const rows = await checkOpCoverage(target, testRunner());
  await target.close();
  const gemm = rows.filter((r) => r.case.startsWith('Gemm'));
  assert.ok(gemm.length > 0 && gemm.every((r) => !r.ok && r.maxError >= 0.1));
  const rotary = rows.find((r) => r.case.startsWith('Rotary'))!;
  assert.equal(rotary.ok, false);
  assert.match(rotary.error!, /no kernel/);
  assert.ok(rows.some((r) => r.ok), 'unaffected cases still agree');
});
