// The pre-launch estimate: its terms for Qwen2.5-0.5B's shapes computed by hand, micro-batches and
// chunked updates lowering it where the engine's accounting says they should, the largest fitting
// micro-batch proposed when a job does not fit (none when nothing does), and the CLI's wording.
// How close it comes to measured peaks is bench:footprint's and bench:scale's job (docs/scale.md).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UPDATE_CHUNK_BYTES } from '../../main/engine/optim/trainer';
import { parseModelConfig } from '../../main/models/config';
import { forwardFlops } from '../../main/models/flops';
import {
  CPU_TRAIN_FLOPS_PER_THREAD, CPU_WEIGHT_GRADIENT_FLOPS_PER_THREAD, estimateTraining, fittingMicroBatch, RUNTIME_BYTES, SECONDS_PER_ELEMENT_PER_RUN, SECONDS_PER_ELEMENT_SPLIT_UPDATE, type FootprintInput,
} from '../../main/transfer/footprint';
import { stepsFor } from '../../main/transfer/recipe';
import { describeEstimate, estimateLaunch } from '../../main/transfer/launch-estimate';
import { estimateDiscovery } from '../../main/circuits/discovery-footprint';

const QWEN = parseModelConfig({
  model_type: 'qwen2', hidden_size: 896, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2,
  intermediate_size: 4864, vocab_size: 151_936, tie_word_embeddings: true, rms_norm_eps: 1e-6, max_position_embeddings: 32_768,
});
const GIB = 2 ** 30;
const full = (batchSize: number, microBatch?: number): FootprintInput => ({
  config: QWEN, floatBytes: 4, scope: { kind: 'all' }, recipe: { batchSize, microBatch, maxLength: 128, epochs: 1 }, examples: 100, threads: 2,
});

test('the terms at Qwen2.5-0.5B size follow the engine accounting', () => {
  const e = estimateTraining(full(16, 4));
  const params = 494_032_768; // Qwen2.5-0.5B, tied embeddings counted once
  assert.equal(e.trainableParameters, params);
  assert.equal(e.parts.weights, params * 4);
  assert.equal(e.parts.runtime, RUNTIME_BYTES);
  // 4 rows × 128 tokens × 24 layers × 4 bytes × (2·14·128 + 5·4864 + 10·896 = 36,864 floats)
  assert.equal(e.parts.activations, 4 * 128 * 24 * 4 * 36_864);
  assert.ok(e.apart, 'micro-batches update apart');
  const t = params * 4;
  const chunk = 151_936 * 896 * 4; // the embedding, larger than one update chunk, is the largest run
  assert.ok(chunk > UPDATE_CHUNK_BYTES);
  assert.equal(e.parts.optimizer, Math.max(6 * t, 5 * t + 6 * chunk));
  // one run over the whole batch: gradients, new values of parameters and moments and their copies
  const whole = estimateTraining({ ...full(16), config: { ...QWEN, numLayers: 1 } as typeof QWEN, scope: { kind: 'norms' } });
  assert.ok(!whole.apart);
  assert.equal(whole.parts.optimizer, 10 * whole.trainableParameters * 4);
});

test('micro-batches lower the estimate; the largest one that fits is proposed', () => {
  const peaks = [16, 8, 4, 2, 1].map((m) => estimateTraining(full(16, m < 16 ? m : undefined)).peakBytes);
  for (let i = 1; i < peaks.length; i++) assert.ok(peaks[i]! < peaks[i - 1]!, `micro-batch ${16 >> i} below ${16 >> (i - 1)}`);
  const at8 = estimateTraining(full(16, 8)).peakBytes;
  assert.equal(fittingMicroBatch(full(16), at8), 8);
  assert.equal(fittingMicroBatch(full(16), at8 - 1), 4);
  assert.equal(fittingMicroBatch(full(16), 1 * GIB), undefined, 'the weights alone are 1.84 GiB');
  // a batch of 12 has divisors 6, 4, 3, 2, 1 below it, not 8
  const at4of12 = estimateTraining(full(12, 4)).peakBytes;
  assert.equal(fittingMicroBatch(full(12), at4of12 + 1), 4);
});

test('a launch is judged by its largest method, and the line says what to do', () => {
  const asked = { config: QWEN, floatBytes: 4, examples: 100, recipe: { batchSize: 16, maxLength: 128, epochs: 5 }, threads: 2 };
  const both = estimateLaunch({ ...asked, methods: ['circuit', 'full'], availableBytes: 64 * GIB });
  assert.equal(both.method, 'full');
  assert.ok(both.fits);
  assert.match(describeEstimate(both, 16), /^estimated peak memory \d+\.\d GiB \(full\) of 64\.0 GiB available; training about \d+ (s|min|h)/);
  const tight = estimateLaunch({ ...asked, methods: ['full'], availableBytes: 16 * GIB });
  assert.ok(!tight.fits);
  assert.ok(tight.proposedMicroBatch !== undefined && tight.proposedMicroBatch < 16);
  assert.match(describeEstimate(tight, 16), new RegExp(`will not fit: micro-batches of ${tight.proposedMicroBatch} .*--micro-batch ${tight.proposedMicroBatch}`));
  const hopeless = estimateLaunch({ ...asked, methods: ['full'], availableBytes: GIB });
  assert.equal(hopeless.proposedMicroBatch, undefined);
  assert.match(describeEstimate(hopeless, 16), /even one row per run/);
  // CT-SFT trains 0.8%: far less than full fine-tuning; its time is two passes at the training rate
  // and its few trainables' outputs of one run (it updates in the same run)
  const circuit = estimateLaunch({ ...asked, methods: ['circuit'], availableBytes: 64 * GIB });
  assert.ok(circuit.footprint.peakBytes < both.footprint.peakBytes / 2);
  assert.equal(circuit.footprint.apart, false);
  const steps = stepsFor(100, asked.recipe);
  const forward = forwardFlops(QWEN, 16, 128);
  const twoPasses = (steps * 2 * forward) / (CPU_TRAIN_FLOPS_PER_THREAD * 2);
  assert.ok(Math.abs(circuit.footprint.seconds - twoPasses - steps * circuit.footprint.trainableParameters * SECONDS_PER_ELEMENT_PER_RUN) < 1e-6);
});

test('full fine-tuning time: the weight-gradient pass at its own rate, per-element work per gradient run and for the split update', () => {
  const whole = estimateTraining(full(16));
  const micro = estimateTraining(full(16, 4));
  assert.ok(whole.apart && micro.apart, 'half a billion trainables update apart');
  const steps = stepsFor(100, { batchSize: 16, epochs: 1 });
  const forward = forwardFlops(QWEN, 16, 128);
  const fixed = steps * ((2 * forward) / (CPU_TRAIN_FLOPS_PER_THREAD * 2) + forward / (CPU_WEIGHT_GRADIENT_FLOPS_PER_THREAD * 2));
  const elements = whole.trainableParameters;
  assert.ok(Math.abs(whole.seconds - fixed - steps * elements * (SECONDS_PER_ELEMENT_PER_RUN + SECONDS_PER_ELEMENT_SPLIT_UPDATE)) < 1e-6);
  assert.ok(Math.abs(micro.seconds - whole.seconds - steps * elements * 3 * SECONDS_PER_ELEMENT_PER_RUN) < 1e-6, 'four gradient runs instead of one');
  // a thread more speeds the FLOPs, not the memory-bound work
  const four = estimateTraining({ ...full(16, 4), threads: 4 });
  assert.ok(Math.abs(micro.seconds - four.seconds - fixed / 2) < 1e-6);
});

test("discovery's estimate: iteration 0 grows with the examples scored, later iterations bound by it", () => {
  const base = { config: QWEN, floatBytes: 4, meanSize: 50, discoverySize: 50, batchSize: 10, maxLength: 128, maxDepth: 2, sourceScope: 'label-position' as const, cd: { attention: 'fixed' as const }, fastScreen: false, threads: 2, runtimeBytes: RUNTIME_BYTES };
  const d = estimateDiscovery(base);
  const twice = estimateDiscovery({ ...base, discoverySize: 100 });
  const mean = estimateDiscovery({ ...base, discoverySize: 0 }).iteration0Seconds; // the mean baseline and the graph compiles alone
  assert.ok(Math.abs((twice.iteration0Seconds - mean) / (d.iteration0Seconds - mean) - 2) < 1e-9, '10 batches cost twice 5');
  assert.equal(d.atMostSeconds, 3 * d.iteration0Seconds);
  // the label-row path: 5 batches' traces kept (per layer keys and values of 2 KV heads × 64 over 128
  // tokens, the label row's input and z: 896 each), beside the larger of tracing (the clean forward's
  // FFN tensors, every layer's input, keys and values for 14 × 64 query heads) and a row run (14 heads ×
  // 10 label rows, every layer's keys and values repeated to 14 heads)
  assert.equal(d.path, 'row');
  const traces = 5 * 24 * 10 * (2 * 2 * 64 * 128 + 896 + 896);
  const everyLayer = 24 * 1280 * 2 * 896;
  assert.equal(d.parts.relevance, (traces + Math.max(4 * 1280 * 4864 + everyLayer + 24 * 1280 * 896, 10 * 140 * 4864 + everyLayer)) * 4);
  assert.equal(d.parts.weights, 494_032_768 * 4);
  assert.equal(d.parts.screen, 0);
  assert.equal(d.peakBytes, RUNTIME_BYTES + d.parts.weights + d.parts.relevance);
  // over the sequence: 7 of 14 heads × 10 examples × 128 tokens = 8,960 rows, 10 FFN-wide floats each
  const seq = estimateDiscovery({ ...base, sourceScope: 'all-positions' });
  assert.equal(seq.path, 'sequence');
  assert.equal(seq.parts.relevance, (10 * 8960 * 4864 + 4 * 1280 * 4864) * 4);
  assert.ok(seq.iteration0Seconds > 5 * d.iteration0Seconds, 'β in one row is far cheaper than over 128 tokens');
  // the fast screen's backward holds a training step's activations for one batch, and can set the peak
  const screened = estimateDiscovery({ ...base, fastScreen: true });
  assert.equal(screened.parts.screen, 1280 * 24 * (2 * 14 * 128 + 5 * 4864 + 10 * 896) * 4);
  assert.equal(screened.peakBytes, RUNTIME_BYTES + d.parts.weights + screened.parts.screen);
});
