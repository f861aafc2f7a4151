// A standalone ONNX classifier that plain onnxruntime runs: inputs input_ids and attention_mask
// (plus token_type_ids for BERT-style encoders with two segment types), int64 [batch, seq]; output
// logits float32 [batch, labels]. Position ids and the label position are computed in the graph from
// the mask, so any padding side works and users feed only what a tokenizer gives. Shapes are fixed
// at export (the engine compiles static shapes): pad every row to `seq` tokens. The weights sit in
// model.onnx.data (page-aligned external data); lontar-task.json and the tokenizer files say how
// to build inputs.

import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { encodeModel, OPSET, type NamedSpec } from '../../engine/onnx/encode';
import { writeOnnxModel } from '../../engine/onnx/write-model';
import type { LoadedModel } from '../load';
import type { ClassificationTask } from '../classification/task';
import { buildTaskModel } from '../classification/task-model';
import { writeFolderAtomically } from './atomic-folder';
import { copyCompanionFiles } from './companion-files';

export interface OnnxExportOptions {
  /** Rows per run (default 1). */
  batch?: number;
  /** Tokens per row, padding included (default 128, at most the model's limit). */
  seq?: number;
}

export interface OnnxExport {
  dir: string;
  files: string[];
  inputs: NamedSpec[];
  outputs: NamedSpec[];
}

export const ONNX_MODEL_FILE = 'model.onnx';
export const ONNX_DATA_FILE = 'model.onnx.data';
export const ONNX_TASK_FILE = 'lontar-task.json';

export function writeOnnxFolder(out: string, model: LoadedModel, task: ClassificationTask, options: OnnxExportOptions = {}): OnnxExport {
  const batch = options.batch ?? 1;
  const seq = Math.min(options.seq ?? 128, model.tokenizer.maxLength);
  if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(seq) || seq < 1) {
    throw new RangeError(`ONNX export needs a positive batch and sequence length, got ${batch} × ${seq}`);
  }
  const m = buildTaskModel(model, task, { batch, seq }, { bind: { layout: 'inputs', trainability: () => ({ kind: 'frozen' }) }, derive: 'in-graph' });
  m.graph.output(m.logits, 'logits');
  const description = taskDescription(model, task, batch, seq);
  const encoded = encodeModel(m.graph, {
    outputs: ['logits'],
    externalDataFile: ONNX_DATA_FILE,
    docString: `Lontar ${task.kind} classifier over ${model.config.family}`,
    metadata: { 'lontar.task': JSON.stringify(description) },
  });
  const files: string[] = [];
  const dir = writeFolderAtomically(out, (temp) => {
    const written = writeOnnxModel(join(temp, ONNX_MODEL_FILE), encoded).map((p) => basename(p));
    const sidecar = { ...description, inputs: encoded.inputs, outputs: encoded.outputs, opset: OPSET };
    writeFileSync(join(temp, ONNX_TASK_FILE), `${JSON.stringify(sidecar, null, 2)}\n`);
    files.push(...written, ONNX_TASK_FILE, ...copyCompanionFiles(model.dir, temp));
  });
  return { dir, files, inputs: encoded.inputs, outputs: encoded.outputs };
}

/** What a user of the ONNX file needs to know to build inputs and read outputs. */
function taskDescription(model: LoadedModel, task: ClassificationTask, batch: number, seq: number) {
  return {
    family: model.config.family,
    protocol: task.kind,
    template: task.kind === 'label-words' ? task.template.source : null,
    labels: task.labels.map((l) => ({ name: l.name, word: l.word ?? null, tokenId: l.tokenId ?? null })),
    batch,
    seq,
    padTokenId: model.tokenizer.padTokenId,
    padding: 'either side: positions and the label position come from attention_mask',
  };
}
