// bench:engine-profile reads onnxruntime's own profile: a profiled session's file gives its runs (warm-up
// left out), each kernel's op type and phase, and a GEMM's FLOPs from its shapes.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gemmFlops, perRunBy, phaseOf, readOrtProfile } from '../../bench/ort-profile';
import { Graph } from '../../main/engine/graph';
import { encodeModel } from '../../main/engine/onnx/encode';
import * as op from '../../main/engine/ops/index';
import { LocalRunner } from '../../main/engine/runtime/runner';
import { hostTensor } from '../../main/engine/tensor';

const dir = mkdtempSync(join(tmpdir(), 'lontar-ort-profile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('GEMM FLOPs from shapes, plain, batched and with A transposed', () => {
  assert.equal(gemmFlops([[8, 16], [16, 4]], [8, 4]), 2 * 8 * 16 * 4);
  assert.equal(gemmFlops([[3, 8, 16], [16, 4]], [3, 8, 4]), 2 * 3 * 8 * 16 * 4);
  assert.equal(gemmFlops([[16, 8], [16, 4]], [8, 4]), 2 * 8 * 16 * 4, 'Aᵀ: k is the dimension that is not m');
  assert.equal(phaseOf('grad.layer.0/MatMul_3'), 'backward');
  assert.equal(phaseOf('optimizer/Mul_9'), 'optimizer');
  assert.equal(phaseOf('layer.1/Softmax_2'), 'forward');
});

test('a profiled session writes a profile with its runs, kernels and GEMM FLOPs', async () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [8, 16]);
  const w = g.initializer('w', hostTensor('float32', [16, 4], Array.from({ length: 64 }, (_, i) => i / 64)));
  g.output(op.addScalar(op.matmul(x, w), 1), 'y');
  const runner = new LocalRunner({ threads: 1, provider: 'cpu', profilePrefix: join(dir, 'p') });
  const session = await runner.load(encodeModel(g));
  for (let i = 0; i < 5; i++) await runner.run(session.id, { feeds: { x: hostTensor('float32', [8, 16], new Array(128).fill(0.5)) } });
  runner.endProfiling();
  await runner.close();
  const files = readdirSync(dir);
  assert.equal(files.length, 1, `one profile file (${files.join(', ')})`);
  const profile = readOrtProfile(join(dir, files[0]!), 2);
  assert.equal(profile.runs.length, 3, 'the two warm-up runs are left out');
  const gemm = profile.kernels.filter((k) => k.flops > 0);
  assert.ok(gemm.length >= 3, `a GEMM kernel per run (${profile.kernels.map((k) => k.op).join(', ')})`);
  assert.ok(gemm.every((k) => k.flops === 2 * 8 * 16 * 4), `FLOPs ${gemm.map((k) => k.flops).join(', ')}`);
  const byOp = perRunBy(profile, (k) => k.op);
  assert.ok(byOp.every(([, us]) => us >= 0) && byOp.length >= 1);
});
