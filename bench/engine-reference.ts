// The reference configuration bench:engine and bench:engine-profile time (4 layers, hidden 256, 4
// heads, FFN 1024, vocab 8000, sequence 64, batch 16): its weights, eight fixed batches, and the
// full and CT-SFT-shaped trainers, built the same way for both benchmarks.

import { Trainer } from '../main/engine/optim/trainer';
import type { Trainability } from '../main/engine/params/binding';
import { Rng } from '../main/engine/random';
import type { Runner } from '../main/engine/runtime/runner';
import { hostTensor, type HostTensor } from '../main/engine/tensor';
import { buildEncoder, encoderShapes, initEncoder, type EncoderConfig } from '../main/models/architectures/encoder-classifier';
import { TorchTwin } from './torch-bridge';

export const [B, T] = [16, 64];
export const cfg: EncoderConfig = { vocab: 8000, hidden: 256, layers: 4, heads: 4, ffn: 1024, maxPositions: T, classes: 3, dtype: 'float32' };
export const optimizer = { kind: 'adamw' as const, weightDecay: 0.01 };
export const LR = 1e-3;

export const weights = initEncoder(cfg, 1);
const rng = new Rng(2);
export const batches: Record<string, HostTensor>[] = Array.from({ length: 8 }, () => ({
  input_ids: hostTensor('int64', [B, T], Array.from({ length: B * T }, () => rng.int(cfg.vocab))),
  attention_mask: hostTensor('int64', [B, T], new Array(B * T).fill(1)),
  labels: hostTensor('int64', [B], Array.from({ length: B }, () => rng.int(cfg.classes))),
}));

const dh = cfg.hidden / cfg.heads;
/** The CT-SFT shape: the first head of every layer (its q/k/v rows, its output columns) and all norms. */
export const ctsft = (name: string): Trainability => {
  if (name.includes('LayerNorm')) return { kind: 'whole' };
  if (/attention\.self\.\w+\.(weight|bias)$/.test(name)) return { kind: 'slices', axis: 0, ranges: [{ start: 0, end: dh }] };
  if (name.endsWith('attention.output.dense.weight')) return { kind: 'slices', axis: 1, ranges: [{ start: 0, end: dh }] };
  return { kind: 'frozen' };
};
export const everything = (): Trainability => ({ kind: 'whole' });

export const referenceTrainer = (runner: Runner, layout: 'inputs' | 'split', trainability: (n: string) => Trainability) =>
  new Trainer({
    runner,
    optimizer,
    schedule: { kind: 'constant', lr: LR },
    build: () => {
      const m = buildEncoder(cfg, weights, B, T, { layout, trainability });
      return { graph: m.graph, loss: m.loss, trainables: m.params.trainables };
    },
  });

/** The forward-only model (loss and logits) with the same weights, fed by inputs. */
export function referenceForward() {
  const m = buildEncoder(cfg, weights, B, T, { layout: 'inputs', trainability: () => ({ kind: 'frozen' }) });
  m.graph.output(m.loss, 'loss');
  m.graph.output(m.logits, 'logits');
  return m.graph;
}

/** The PyTorch twin (bench/torch_encoder.py) with the same weights and batches. */
export function startReferenceTwin(python: string, workDir: string, threads: number, timeoutMs: number): Promise<TorchTwin> {
  const manifest = { config: cfg, batch: B, seq: T, threads, lr: LR, weightDecay: optimizer.weightDecay };
  const ordered = encoderShapes(cfg).map(([n]) => [n, weights.get(n)!] as [string, HostTensor]);
  return TorchTwin.start(python, workDir, manifest, ordered, batches, timeoutMs);
}
