// Properties of the emitted ONNX graphs: dead nodes pruned, outputs named without Identity copies,
// frozen tensors emit no backward nodes, large initializers go to external data with identical results.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../../main/engine/autodiff';
import { Graph } from '../../main/engine/graph';
import { encodeModel } from '../../main/engine/onnx/encode';
import * as op from '../../main/engine/ops/index';
import { Rng } from '../../main/engine/random';
import { SessionCache } from '../../main/engine/runtime/session-cache';
import { hostTensor } from '../../main/engine/tensor';
import { testRunner } from '../helpers/engine';

test('outputs are renamed producer results; only an input passed through needs a copy', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [4]);
  g.output(op.tanh(x), 'y');
  assert.equal(encodeModel(g).nodeCount, 1);
  g.output(x, 'x_again');
  assert.equal(encodeModel(g).nodeCount, 2);
});

test('nodes no output depends on are pruned, and unused inputs dropped', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [4]);
  const unused = g.input('unused', 'float32', [4]);
  op.exp(op.mul(unused, x)); // dead branch
  g.output(op.neg(x), 'y');
  const m = encodeModel(g);
  assert.equal(m.nodeCount, 1);
  assert.deepEqual(m.inputs.map((i) => i.name), ['x']);
});

test('a frozen weight emits no weight-gradient GEMM', () => {
  const count = (trainableWeight: boolean) => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3, 4], { requiresGrad: true });
    const w = trainableWeight ? g.input('w', 'float32', [5, 4], { requiresGrad: true }) : g.initializer('w', hostTensor('float32', [5, 4]));
    const loss = op.reduceSum(op.linear(x, w), [0, 1]);
    const grads = grad(loss, trainableWeight ? [x, w] : [x]);
    grads.forEach((gv, i) => g.output(gv!, `g${i}`));
    return g.nodes.filter((n) => n.opType === 'Gemm').length;
  };
  assert.equal(count(true), 3); // forward, dx, dW
  assert.equal(count(false), 2); // forward, dx
});

test('external data gives the same results as inline initializers', async () => {
  const rng = new Rng(3);
  const w = hostTensor('float32', [64, 32], Array.from({ length: 2048 }, () => rng.normal()));
  const build = () => {
    const g = new Graph();
    g.output(op.linear(g.input('x', 'float32', [2, 32]), g.initializer('w', w)), 'y');
    return g;
  };
  const externalModel = encodeModel(build());
  const inlineModel = encodeModel(build(), { externalMinBytes: Number.POSITIVE_INFINITY });
  assert.equal(externalModel.externalData.length, 1);
  assert.equal(inlineModel.externalData.length, 0);
  assert.ok(externalModel.bytes.length < 1024 && inlineModel.bytes.length > 8192);
  const x = hostTensor('float32', [2, 32], Array.from({ length: 64 }, () => rng.normal()));
  const runner = testRunner();
  const [a, b] = await Promise.all([runner.load(externalModel), runner.load(inlineModel)]);
  const [ya, yb] = [(await runner.run(a.id, { feeds: { x } })).y!, (await runner.run(b.id, { feeds: { x } })).y!];
  assert.deepEqual(Array.from(ya.data as Float32Array), Array.from(yb.data as Float32Array));
});

test('the session cache builds once per bucket and evicts the least recently used', async () => {
  const runner = testRunner();
  const cache = new SessionCache(runner, 2);
  let builds = 0;
  const model = (n: number) => () => {
    builds++;
    const g = new Graph();
    g.output(op.scale(g.input('x', 'float32', [n]), 2), 'y');
    return encodeModel(g);
  };
  const s8 = await cache.get('8', model(8));
  assert.equal((await cache.get('8', model(8))).id, s8.id);
  await cache.get('16', model(16));
  await cache.get('8', model(8)); // 8 is now the most recent
  await cache.get('32', model(32)); // evicts 16
  assert.equal(builds, 3);
  assert.equal(cache.size, 2);
  await cache.get('16', model(16));
  assert.equal(builds, 4);
  await assert.rejects(runner.run(s8.id + 1, { feeds: { x: hostTensor('float32', [16]) } }), /not loaded/);
  await cache.clear();
});

test('a model written to disk with one external-data file loads in plain onnxruntime', async () => {
  const { mkdtempSync, rmSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const ort = await import('onnxruntime-node');
  const { writeOnnxModel } = await import('../../main/engine/onnx/write-model');
  const rng = new Rng(4);
  const w1 = hostTensor('float32', [48, 16], Array.from({ length: 768 }, () => rng.normal()));
  const w2 = hostTensor('float32', [8, 48], Array.from({ length: 384 }, () => rng.normal()));
  const g = new Graph();
  g.output(op.linear(op.tanh(op.linear(g.input('x', 'float32', [2, 16]), g.initializer('w1', w1))), g.initializer('w2', w2)), 'y');
  const dir = mkdtempSync(join(tmpdir(), 'lontar-onnx-'));
  try {
    const encoded = encodeModel(g, { externalDataFile: 'model.onnx.data' });
    assert.deepEqual(encoded.externalData.map((b) => b.offset), [0, 4096]);
    writeOnnxModel(join(dir, 'model.onnx'), encoded);
    assert.equal(statSync(join(dir, 'model.onnx.data')).size, 4096 + 384 * 4);
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    const x = hostTensor('float32', [2, 16], Array.from({ length: 32 }, () => rng.normal()));
    const fromDisk = (await session.run({ x: new ort.Tensor('float32', x.data as Float32Array, [2, 16]) })).y!.data as Float32Array;
    const runner = testRunner();
    const inMemory = await runner.load(encodeModel(g));
    const expected = (await runner.run(inMemory.id, { feeds: { x } })).y!.data as Float32Array;
    assert.deepEqual(Array.from(fromDisk), Array.from(expected));
    await session.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
