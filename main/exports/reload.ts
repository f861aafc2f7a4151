// Loads an export back the way its recipient would and predicts examples with it: a Hugging Face
// folder through Lontar's loader, a patch applied to its base first (the base's hash and the rebuilt
// weights' hash are checked by apply), and the ONNX file itself as onnxruntime reads it from disk,
// fed only the inputs it declares, with the tokenizer files shipped beside it.

import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { Runner } from '../engine/runtime/runner';
import type { HostTensor } from '../engine/tensor';
import { Checkpoint } from '../models/checkpoint/checkpoint';
import { BatchEncoder, type ClassificationExample } from '../models/classification/batch-encoder';
import { Predictor } from '../models/classification/predictor';
import { resolveTask, type ClassificationTask } from '../models/classification/task';
import { loadModelConfig } from '../models/config';
import { writeHfFolder } from '../models/export/hf-folder';
import { ONNX_DATA_FILE, ONNX_MODEL_FILE, ONNX_TASK_FILE } from '../models/export/onnx-model';
import { loadModel } from '../models/load';
import { applyPatch } from '../models/patch/apply-patch';
import { resolveTensorLayout } from '../models/tensor-layout';
import { LontarTokenizer } from '../models/tokenizer';
import type { Workspace } from '../store/index';
import type { TaskSpec } from '../transfer/job-configs';
import { RunModels } from '../transfer/run-models';

export interface Reproduced {
  /** Label names in the order of `logits`. */
  labels: string[];
  /** Example id → label logits. */
  logits: Map<number, number[]>;
}

export interface ReloadRequest {
  ws: Workspace;
  dir: string;
  format: 'hf' | 'onnx' | 'patch';
  /** The registered base model folder (for the ONNX task and config, and a base-model patch). */
  baseModelDir: string;
  patch?: { file: string; baseKind: 'base-model' | 'competence'; baseRunId?: number };
  task: TaskSpec;
  maxLength: number;
  examples: ClassificationExample[];
  runner: Runner;
  onProgress?: (done: number, total: number) => void;
}

export async function reproduce(r: ReloadRequest): Promise<Reproduced> {
  if (r.format === 'hf') return predictFolder(r, r.dir);
  if (r.format === 'onnx') return predictOnnx(r);
  const scratch = join(dirname(r.dir), `.${basename(r.dir)}.lontar-verify-${randomBytes(4).toString('hex')}`);
  mkdirSync(scratch);
  try {
    const patch = r.patch!;
    const baseDir =
      patch.baseKind === 'base-model'
        ? r.baseModelDir
        : writeHfFolder(join(scratch, 'base'), new RunModels(r.ws).of(patch.baseRunId!), { card: { baseModel: 'competence checkpoint', method: 'competence checkpoint' } }).dir;
    const { dir } = applyPatch(baseDir, join(r.dir, patch.file), join(scratch, 'adapted'));
    return await predictFolder(r, dir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function predictFolder(r: ReloadRequest, dir: string): Promise<Reproduced> {
  const model = loadModel(dir);
  const task = resolveTask(model, r.task);
  const predictor = Predictor.create(model, task, { runner: r.runner, batchSize: 8, maxLength: r.maxLength });
  try {
    const predictions = await predictor.predict(r.examples, r.onProgress);
    return { labels: task.labels.map((l) => l.name), logits: new Map(predictions.map((p) => [Number(p.id), p.logits])) };
  } finally {
    await predictor.close();
  }
}

const specSchema = z.object({ name: z.string(), dtype: z.string(), shape: z.array(z.number().int()) });
const sidecarSchema = z.object({ batch: z.number().int().positive(), seq: z.number().int().positive(), labels: z.array(z.object({ name: z.string() })), inputs: z.array(specSchema), outputs: z.array(specSchema) });

async function predictOnnx(r: ReloadRequest): Promise<Reproduced> {
  const sidecar = sidecarSchema.parse(JSON.parse(readFileSync(join(r.dir, ONNX_TASK_FILE), 'utf8')));
  const config = loadModelConfig(r.baseModelDir);
  const inventory = Checkpoint.open(r.baseModelDir); // headers only: the task needs the layout, not the weights
  let task: ClassificationTask;
  let tokenizer: LontarTokenizer;
  try {
    tokenizer = LontarTokenizer.load(r.dir, { config }); // the export's own tokenizer files
    task = resolveTask({ config, tokenizer, layout: resolveTensorLayout(config, inventory, r.baseModelDir) }, r.task);
  } finally {
    inventory.close();
  }
  const labels = task.labels.map((l) => l.name);
  if (sidecar.labels.map((l) => l.name).join('\n') !== labels.join('\n')) {
    throw new Error(`${ONNX_TASK_FILE} lists the labels ${sidecar.labels.map((l) => l.name).join(', ')}, the run's task ${labels.join(', ')}`);
  }
  const session = await r.runner.load({
    bytes: readFileSync(join(r.dir, ONNX_MODEL_FILE)),
    externalData: [{ path: ONNX_DATA_FILE, data: readFileSync(join(r.dir, ONNX_DATA_FILE)), offset: 0 }],
    inputs: sidecar.inputs as never,
    outputs: sidecar.outputs as never,
    nodeCount: 0,
    sessionConfig: {},
  });
  const encoder = new BatchEncoder({ config, tokenizer }, task, { maxLength: r.maxLength });
  const logits = new Map<number, number[]>();
  try {
    for (let start = 0; start < r.examples.length; start += sidecar.batch) {
      const chunk = r.examples.slice(start, start + sidecar.batch);
      const batch = encoder.encode(chunk, sidecar.batch, sidecar.seq);
      if (batch.shape.seq !== sidecar.seq) throw new Error(`an example needs ${batch.shape.seq} tokens; the ONNX model takes ${sidecar.seq}`);
      const feeds: Record<string, HostTensor> = {};
      for (const input of sidecar.inputs) feeds[input.name] = batch.feeds[input.name]!;
      const out = (await r.runner.run(session.id, { feeds, fetch: ['logits'] }))['logits']!;
      chunk.forEach((e, b) => logits.set(Number(e.id), Array.from((out.data as Float32Array).subarray(b * labels.length, (b + 1) * labels.length), Number)));
      r.onProgress?.(Math.min(start + sidecar.batch, r.examples.length), r.examples.length);
    }
  } finally {
    await r.runner.release(session.id);
  }
  return { labels, logits };
}
