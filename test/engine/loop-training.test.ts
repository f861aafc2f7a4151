// Several optimizer steps per run through an ONNX Loop must give bit-identical losses, parameters
// and optimizer moments to the same steps taken one run at a time.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildEncoder, initEncoder, type EncoderConfig } from '../../main/models/architectures/encoder-classifier';
import { Trainer } from '../../main/engine/optim/trainer';
import type { ParameterLayout, Trainability } from '../../main/engine/params/binding';
import { Rng } from '../../main/engine/random';
import { hostTensor, type HostTensor } from '../../main/engine/tensor';
import { testRunner } from '../helpers/engine';

const cfg: EncoderConfig = { vocab: 23, hidden: 8, layers: 2, heads: 2, ffn: 16, maxPositions: 8, classes: 3, dtype: 'float32' };
const [B, T] = [4, 6];
const rng = new Rng(21);
const batches: Record<string, HostTensor>[] = Array.from({ length: 6 }, () => ({
  input_ids: hostTensor('int64', [B, T], Array.from({ length: B * T }, () => rng.int(23))),
  attention_mask: hostTensor('int64', [B, T], Array.from({ length: B * T }, (_, i) => (i % T < T - (i % 2) ? 1 : 0))),
  labels: hostTensor('int64', [B], Array.from({ length: B }, () => rng.int(3))),
}));
const heads = (name: string): Trainability => {
  if (name.includes('LayerNorm')) return { kind: 'whole' };
  if (/attention\.self\.\w+\.(weight|bias)$/.test(name)) return { kind: 'slices', axis: 0, ranges: [{ start: 0, end: 4 }] };
  return { kind: 'frozen' };
};

async function trained(layout: ParameterLayout, trainability: (n: string) => Trainability, loop: boolean) {
  const weights = initEncoder(cfg, 3, 0.5);
  const trainer = new Trainer({
    runner: testRunner(),
    statePrefix: `loop-test-${loop}-${layout}.`,
    optimizer: { kind: 'adamw', weightDecay: 0.1 },
    schedule: { kind: 'linear', lr: 0.02, warmupSteps: 2, totalSteps: 6 },
    clipNorm: 1,
    build: () => {
      const m = buildEncoder(cfg, weights, B, T, { layout, trainability });
      return { graph: m.graph, loss: m.loss, trainables: m.params.trainables };
    },
  });
  await trainer.start('b');
  const results = loop
    ? [...(await trainer.trainSteps('b', batches.slice(0, 4))), ...(await trainer.trainSteps('b', batches.slice(4)))]
    : await (async () => {
        const out = [];
        for (const b of batches) out.push(await trainer.trainStep('b', b));
        return out;
      })();
  const state = (await trainer.checkpoint()).tensors;
  await trainer.dispose();
  return { results, state };
}

const bits = (t: HostTensor) => Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));

for (const [name, layout, trainability] of [
  ['every tensor trainable', 'inputs', () => ({ kind: 'whole' })],
  ['head slices and norms, split layout', 'split', heads],
] as [string, ParameterLayout, (n: string) => Trainability][]) {
  test(`K steps per run equal K single steps bit for bit (${name})`, async () => {
    const single = await trained(layout, trainability, false);
    const looped = await trained(layout, trainability, true);
    assert.deepEqual(looped.results, single.results);
    assert.deepEqual(Object.keys(looped.state).sort(), Object.keys(single.state).sort());
    for (const [key, t] of Object.entries(single.state)) assert.deepEqual(bits(looped.state[key]!), bits(t), key);
  });
}

test('a constant learning rate (an initializer in the body) is scanned out correctly', async () => {
  const weights = initEncoder(cfg, 3, 0.5);
  const trainer = new Trainer({
    runner: testRunner(),
    statePrefix: 'loop-constant-lr.',
    optimizer: { kind: 'sgd' },
    schedule: { kind: 'constant', lr: 0.05 },
    build: () => {
      const m = buildEncoder(cfg, weights, B, T, { layout: 'inputs', trainability: () => ({ kind: 'whole' }) });
      return { graph: m.graph, loss: m.loss, trainables: m.params.trainables };
    },
  });
  await trainer.start('b');
  const results = await trainer.trainSteps('b', batches.slice(0, 3));
  await trainer.dispose();
  assert.deepEqual(results.map((r) => r.lr), [0.05, 0.05, 0.05].map(Math.fround));
  assert.deepEqual(results.map((r) => r.step), [1, 2, 3]);
});
