// `train-tiny`: trains a tiny BERT-style encoder classifier on the seeded synthetic task of
// tiny-task.ts with the engine's Trainer (AdamW, clipping), in the same shape later training kinds
// will have: config schema → weights → trainer → shared training loop → output blob. It gives the
// runner real work whose result can be checked bit for bit (resume, kill, cancel).

import { z } from 'zod';
import { buildEncoder, initEncoder, type EncoderConfig } from '../../models/architectures/encoder-classifier';
import { encodeModel } from '../../engine/onnx/encode';
import { Trainer } from '../../engine/optim/trainer';
import type { HostTensor } from '../../engine/tensor';
import { runTrainingLoop } from '../training-loop';
import { defineJobKind, type JobContext } from '../types';
import { EVAL_STREAM, tinyBatch } from './tiny-task';

const count = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);

export const trainTinyConfig = z
  .strictObject({
    steps: count(1_000_000, 200),
    batch: count(1024, 8),
    seq: z.number().int().min(2).max(512).default(12),
    vocab: z.number().int().min(4).max(100_000).default(32),
    hidden: count(4096, 16),
    layers: count(64, 2),
    heads: count(64, 2),
    ffn: count(16_384, 32),
    classes: z.number().int().min(2).max(64).default(3),
    lr: z.number().positive().max(1).default(1e-2),
    weightDecay: z.number().min(0).max(1).default(0.01),
    clipNorm: z.number().positive().default(1),
    /** Initial weights: normal(0, initStd). */
    initStd: z.number().positive().default(0.2),
    dtype: z.enum(['float32', 'float64']).default('float32'),
    /** Accuracy on a fixed evaluation batch every this many steps (0: never). */
    evalEvery: z.number().int().min(0).default(50),
    evalBatch: count(4096, 32),
    /** Optimizer steps per engine run (several: one ONNX Loop; the same weights as single steps). */
    stepsPerRun: z.union([z.literal('auto'), count(64, 1)]).default(1),
  })
  .refine((c) => c.hidden % c.heads === 0, { message: 'hidden must be a multiple of heads', path: ['hidden'] });
export type TrainTinyConfig = z.output<typeof trainTinyConfig>;

const BUCKET = 'train';

export function encoderConfigOf(c: TrainTinyConfig): EncoderConfig {
  return { vocab: c.vocab, hidden: c.hidden, layers: c.layers, heads: c.heads, ffn: c.ffn, maxPositions: c.seq, classes: c.classes, dtype: c.dtype };
}

export const trainTiny = defineJobKind({
  kind: 'train-tiny',
  description: 'train a tiny encoder classifier on a seeded synthetic task (demo and runner tests)',
  config: trainTinyConfig,
  async run(ctx) {
    const c = ctx.config;
    const model = encoderConfigOf(c);
    const weights = initEncoder(model, ctx.seed, c.initStd);
    const shape = { vocab: c.vocab, classes: c.classes, seq: c.seq };
    const trainer = new Trainer({
      runner: ctx.runner,
      optimizer: { kind: 'adamw', weightDecay: c.weightDecay },
      schedule: { kind: 'constant', lr: c.lr },
      clipNorm: c.clipNorm,
      build: () => {
        const m = buildEncoder(model, weights, c.batch, c.seq, { layout: 'inputs', trainability: () => ({ kind: 'whole' }) });
        return { graph: m.graph, loss: m.loss, trainables: m.params.trainables };
      },
    });
    await trainer.start(BUCKET);
    const evaluate = c.evalEvery > 0 ? await evaluator(ctx, model, weights, { ...shape, batch: c.evalBatch }) : undefined;
    const last = await runTrainingLoop(ctx, trainer, {
      steps: c.steps,
      bucket: BUCKET,
      batch: (step) => tinyBatch({ ...shape, batch: c.batch }, ctx.seed, step),
      stepsPerRun: c.stepsPerRun,
      ...(evaluate && { observe: { at: (step: number) => step % c.evalEvery === 0 || step === c.steps, measure: async () => ({ accuracy: await evaluate() }) } }),
    });
    const trained = await trainer.trainedValues();
    await trainer.dispose();
    const outputBlob = await ctx.saveTensors(trained, {
      format: 'lontar.trained-weights',
      kind: 'train-tiny',
      seed: String(ctx.seed),
      steps: String(c.steps),
      config: JSON.stringify(c),
    });
    return { outputBlob, summary: { steps: c.steps, ...(last && { finalLoss: last.loss }) } };
  },
});

/**
 * Accuracy on the fixed evaluation batch with the weights the trainer holds right now: an inference
 * graph whose weight inputs read the trainer's state by name, so no weight crosses the runner.
 */
async function evaluator(ctx: JobContext<TrainTinyConfig>, model: EncoderConfig, weights: Map<string, HostTensor>, shape: { vocab: number; classes: number; seq: number; batch: number }) {
  const m = buildEncoder(model, weights, shape.batch, shape.seq, { layout: 'inputs', trainability: () => ({ kind: 'whole' }) });
  m.graph.output(m.logits, 'logits');
  const session = await ctx.runner.load(encodeModel(m.graph, { outputs: ['logits'] }));
  const batch = tinyBatch(shape, ctx.seed, EVAL_STREAM);
  const feeds = { ...batch, ...Object.fromEntries(m.params.trainables.map((t) => [t.key, { state: t.key }])) };
  const needed = new Set(session.inputs.map((i) => i.name));
  const labels = batch['labels']!.data as BigInt64Array;
  return async () => {
    const logits = (await ctx.runner.run(session.id, { feeds: Object.fromEntries(Object.entries(feeds).filter(([k]) => needed.has(k))) }))['logits']!;
    const data = logits.data as Float32Array | Float64Array;
    let correct = 0;
    for (let b = 0; b < shape.batch; b++) {
      let best = 0;
      for (let k = 1; k < shape.classes; k++) if (data[b * shape.classes + k]! > data[b * shape.classes + best]!) best = k;
      if (BigInt(best) === labels[b]) correct++;
    }
    return correct / shape.batch;
  };
}
