// Training steps end to end on a tiny encoder: head-slice training keeps frozen elements (and their
// optimizer moments) bit-identical under AdamW with weight decay, both parameter layouts agree,
// runs are deterministic, resume reproduces an uninterrupted run, and the worker runner matches.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildEncoder, initEncoder, type EncoderConfig } from '../../main/models/architectures/encoder-classifier';
import type { FloatDType } from '../../main/engine/dtype';
import { Trainer } from '../../main/engine/optim/trainer';
import { mergeTrained, type ParameterLayout, type Trainability } from '../../main/engine/params/binding';
import { LocalRunner, type Runner } from '../../main/engine/runtime/runner';
import { WorkerRunner } from '../../main/engine/runtime/worker-runner';
import { Rng } from '../../main/engine/random';
import { hostTensor, type HostTensor } from '../../main/engine/tensor';

const config = (dtype: FloatDType): EncoderConfig => ({ vocab: 23, hidden: 8, layers: 2, heads: 2, ffn: 16, maxPositions: 8, classes: 3, dtype });
const [B, T] = [4, 6];
const HEAD = { start: 4, end: 8 }; // the second of two heads (head dim 4)

/** Head 1's Q/K/V rows and O columns, plus every LayerNorm: the CT-SFT shape of trainability. */
function headTrainability(name: string): Trainability {
  if (name.includes('LayerNorm')) return { kind: 'whole' };
  if (/attention\.self\.(query|key|value)\.(weight|bias)$/.test(name)) return { kind: 'slices', axis: 0, ranges: [HEAD] };
  if (name.endsWith('attention.output.dense.weight')) return { kind: 'slices', axis: 1, ranges: [HEAD] };
  return { kind: 'frozen' };
}

function batches(n: number, seed: number): Record<string, HostTensor>[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => ({
    input_ids: hostTensor('int64', [B, T], Array.from({ length: B * T }, () => rng.int(23))),
    attention_mask: hostTensor('int64', [B, T], Array.from({ length: B * T }, (_, i) => (i % T < T - (i % 3) ? 1 : 0))),
    labels: hostTensor('int64', [B], Array.from({ length: B }, () => rng.int(3))),
  }));
}

interface TrainOptions {
  runner: Runner;
  dtype: FloatDType;
  layout: ParameterLayout;
  steps: number;
  resumeAt?: number;
  frozenAs?: 'initializer' | 'input';
  /** Steps per run (an ONNX Loop) instead of one. */
  loop?: number;
}

async function train(opts: TrainOptions) {
  const cfg = config(opts.dtype);
  const weights = initEncoder(cfg, 7, 0.5);
  const build = () => {
    const m = buildEncoder(cfg, weights, B, T, { layout: opts.layout, trainability: headTrainability, decay: () => true, frozenAs: opts.frozenAs });
    return { graph: m.graph, loss: m.loss, trainables: m.params.trainables, constants: m.params.constants };
  };
  const make = () =>
    new Trainer({
      runner: opts.runner,
      optimizer: { kind: 'adamw', weightDecay: 0.1 },
      schedule: { kind: 'constant', lr: 1e-2 },
      clipNorm: 1,
      build,
    });
  let trainer = make();
  await trainer.start('b');
  const losses: number[] = [];
  const all = batches(opts.steps, 99);
  if (opts.loop) {
    for (let i = 0; i < all.length; i += opts.loop) losses.push(...(await trainer.trainSteps('b', all.slice(i, i + opts.loop))).map((r) => r.loss));
  }
  for (const [i, batch] of (opts.loop ? [] : all).entries()) {
    if (i === opts.resumeAt) {
      const cp = await trainer.checkpoint();
      await trainer.dispose();
      trainer = make(); // a fresh trainer, as after a restart
      await trainer.start('b');
      await trainer.restore(cp);
    }
    losses.push((await trainer.trainStep('b', batch)).loss);
  }
  const values = await trainer.trainedValues();
  const state = (await trainer.checkpoint()).tensors;
  const trainables = build().trainables;
  await trainer.dispose();
  return { weights, losses, values, state, trainables, merged: mergeTrained(weights, trainables, values) };
}

const bits = (t: HostTensor) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

test('frozen elements stay bit-identical under AdamW with decay; every trainable element changes', async () => {
  const runner = new LocalRunner({ threads: 2, provider: 'cpu' });
  const run = await train({ runner, dtype: 'float32', layout: 'inputs', steps: 4 });
  assert.ok(run.losses.every(Number.isFinite));
  let frozenChecked = 0;
  let trainableChecked = 0;
  for (const t of run.trainables) {
    const before = t.initial.data as Float32Array;
    const after = run.values[t.key]!.data as Float32Array;
    const m = run.state[`${t.key}.m`]!.data as Float32Array;
    const v = run.state[`${t.key}.v`]!.data as Float32Array;
    const mask = t.mask ? expandMask(t.mask, t.initial.shape) : undefined;
    for (let i = 0; i < before.length; i++) {
      if (mask && !mask[i]) {
        assert.ok(Object.is(after[i], before[i]), `${t.key}[${i}] is frozen but changed`);
        assert.ok(Object.is(m[i], 0) && Object.is(v[i], 0), `${t.key}[${i}] is frozen but its moments moved`);
        frozenChecked++;
      } else {
        assert.notEqual(after[i], before[i], `${t.key}[${i}] is trainable but did not change`);
        trainableChecked++;
      }
    }
  }
  assert.ok(frozenChecked > 100 && trainableChecked > 100, `${frozenChecked} frozen, ${trainableChecked} trainable`);
  await runner.close();
});

function expandMask(mask: HostTensor, shape: readonly number[]): Uint8Array {
  const out = new Uint8Array(shape.reduce((a, b) => a * b, 1));
  const axis = mask.shape.findIndex((d, i) => d === shape[i] && d !== 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[Math.floor(i / inner) % shape[axis]!] as number;
  return out;
}

test('split layout trains the same values as masked whole inputs and never touches frozen pieces', async () => {
  const runner = new LocalRunner({ threads: 2, provider: 'cpu' });
  const masked = await train({ runner, dtype: 'float64', layout: 'inputs', steps: 3 });
  const split = await train({ runner, dtype: 'float64', layout: 'split', steps: 3 });
  assert.ok(split.trainables.every((t) => !t.mask));
  for (const [name, a] of masked.merged) {
    const b = split.merged.get(name)!;
    const before = masked.weights.get(name)!.data;
    a.data.forEach((x, i) => {
      const y = b.data[i] as number;
      assert.ok(Math.abs((x as number) - y) <= 1e-10 * Math.max(1, Math.abs(y)), `${name}[${i}]: ${x} vs ${y}`);
      if (Object.is(x, before[i])) assert.ok(Object.is(y, before[i]), `${name}[${i}] frozen in one layout only`);
    });
  }
  masked.losses.forEach((l, i) => assert.ok(Math.abs(l - split.losses[i]!) < 1e-10));
  await runner.close();
});

test('frozen tensors fed from runner state train bit-identically to frozen initializers, one step or a Loop per run', async () => {
  const runner = new LocalRunner({ threads: 2, provider: 'cpu' });
  const baked = await train({ runner, dtype: 'float32', layout: 'split', steps: 4 });
  const fed = await train({ runner, dtype: 'float32', layout: 'split', steps: 4, frozenAs: 'input' });
  const fedLoop = await train({ runner, dtype: 'float32', layout: 'split', steps: 4, frozenAs: 'input', loop: 2 });
  const fedBuild = buildEncoder(config('float32'), baked.weights, B, T, { layout: 'split', trainability: headTrainability, frozenAs: 'input' });
  assert.ok(fedBuild.params.constants.size > 0, 'frozen tensors became inputs');
  assert.ok(fedBuild.graph.inputs.some((v) => fedBuild.params.constants.has(v.name!)));
  for (const run of [fed, fedLoop]) {
    assert.deepEqual(run.losses, baked.losses);
    for (const [key, v] of Object.entries(baked.state)) assert.deepEqual(bits(run.state[key]!), bits(v), key);
  }
  await runner.close();
});

test('training is bit-identical across runs, across a checkpoint/resume, and on the worker thread', async () => {
  const local = new LocalRunner({ threads: 2, provider: 'cpu' });
  const first = await train({ runner: local, dtype: 'float32', layout: 'split', steps: 5 });
  const second = await train({ runner: local, dtype: 'float32', layout: 'split', steps: 5 });
  const resumed = await train({ runner: local, dtype: 'float32', layout: 'split', steps: 5, resumeAt: 2 });
  await local.close();
  const worker = await WorkerRunner.start({ threads: 2, provider: 'cpu' });
  const onWorker = await train({ runner: worker, dtype: 'float32', layout: 'split', steps: 5 });
  await worker.close();
  for (const other of [second, resumed, onWorker]) {
    assert.deepEqual(other.losses, first.losses);
    for (const [key, t] of Object.entries(first.state)) assert.deepEqual(bits(other.state[key]!), bits(t), key);
  }
});
