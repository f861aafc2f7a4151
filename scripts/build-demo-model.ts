// npm run build:demo-model — regenerates resources/models/lontar-demo-qwen2 from the NusaX-Senti
// train and valid texts shipped in resources/data/nusax-senti (deterministic on CPU; 8 to 20 minutes
// on two cores, depending on what else runs). Smoke runs: --max-steps 20 --out .scratch/demo-model
//
// Options: --data DIR (NusaX root), --out DIR (parent of the model folder), --max-steps N,
//          --epochs N, --threads N (default 1: onnxruntime's scatter-add, the embedding gradient, sums
//          in thread-dependent order, so only one thread gives the same bytes on every run)

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDemoModel } from '../main/models/pretraining/build-demo-model';
import type { PretrainLogEntry } from '../main/models/pretraining/pretrain';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: join(root, 'resources/data/nusax-senti') },
    out: { type: 'string' },
    'max-steps': { type: 'string' },
    epochs: { type: 'string' },
    threads: { type: 'string', default: '1' },
  },
});

if ((values['max-steps'] !== undefined || values.epochs !== undefined) && values.out === undefined) {
  console.error('--max-steps and --epochs make a model that is not the recipe; give --out so the shipped one is not overwritten');
  process.exit(2);
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const optionalInt = (value: string | undefined) => (value === undefined ? undefined : Number.parseInt(value, 10));

function logLine(e: PretrainLogEntry, totalSteps: number): void {
  const parts = [`step ${String(e.step).padStart(5)}/${totalSteps}`, `epoch ${e.epoch}`, `lr ${e.lr.toExponential(2)}`];
  if (e.trainLoss !== null) parts.push(`loss ${e.trainLoss.toFixed(4)}`);
  if (e.gradNorm !== null) parts.push(`|g| ${e.gradNorm.toFixed(3)}`);
  if (e.heldOutLoss !== null) parts.push(`held-out loss ${e.heldOutLoss.toFixed(4)} ppl ${e.heldOutPerplexity!.toFixed(2)}`);
  console.log(`${parts.join('  ')}  (${elapsed()})`);
}

const epochs = optionalInt(values.epochs);
const { dir, facts } = await buildDemoModel({
  dataDir: values.data,
  outDir: values.out ?? join(root, 'resources/models'),
  maxSteps: optionalInt(values['max-steps']),
  recipe: epochs === undefined ? {} : { epochs },
  threads: optionalInt(values.threads),
  onStage: (message) => console.log(`${message}  (${elapsed()})`),
  onLog: logLine,
});
const bitsPerByte = facts.finalHeldOut.totalNats / Math.LN2 / facts.data.heldOutBytes;
console.log(`wrote ${dir}`);
console.log(`${facts.parameters.toLocaleString('en-US')} parameters, model.safetensors ${facts.safetensorsBytes.toLocaleString('en-US')} bytes, vocabulary ${facts.tokenizer.vocabSize}`);
console.log(`held-out perplexity ${facts.initialHeldOut.perplexity.toFixed(2)} → ${facts.finalHeldOut.perplexity.toFixed(2)} (${bitsPerByte.toFixed(4)} bits/byte) after ${facts.steps} steps; wall time ${elapsed()}`);
