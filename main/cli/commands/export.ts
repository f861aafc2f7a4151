// `lontar export`: a model folder as a Hugging Face folder (config, safetensors, tokenizer, model
// card) or as a standalone ONNX classifier (input_ids + attention_mask → label logits).

import { InvalidArgumentError, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolveTask, type TaskPreset } from '../../models/classification/task';
import { checkOutputFolder } from '../../models/export/atomic-folder';
import { writeHfFolder, type WeightStorage } from '../../models/export/hf-folder';
import { modelCardSchema, type ModelCard } from '../../models/export/model-card';
import { writeOnnxFolder } from '../../models/export/onnx-model';
import { loadModel } from '../../models/load';
import { CliError, emit } from '../output';
import { progressReporter } from '../progress';
import { withModelErrors } from './model';
import { positiveInteger, taskOptions } from './predict';

interface ExportFlags {
  model: string;
  format: 'hf' | 'onnx';
  out: string;
  card?: string;
  baseModel?: string;
  method?: string;
  dtype: WeightStorage;
  task?: TaskPreset;
  template?: string;
  labels?: string[];
  batch: number;
  seq: number;
  json?: boolean;
}

function exportFormat(v: string): 'hf' | 'onnx' {
  if (v !== 'hf' && v !== 'onnx') throw new InvalidArgumentError('hf or onnx');
  return v;
}

function storage(v: string): WeightStorage {
  const d = v.toUpperCase();
  if (d !== 'F32' && d !== 'BF16' && d !== 'F16') throw new InvalidArgumentError('f32, bf16 or f16');
  return d;
}

export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .description('write a model as a Hugging Face folder (--format hf) or a standalone ONNX classifier (--format onnx)')
    .requiredOption('--model <dir>', 'Hugging Face model folder')
    .requiredOption('--format <format>', 'hf or onnx', exportFormat)
    .requiredOption('--out <dir>', 'a new (or empty) folder; written completely or not at all')
    .option('--card <file>', 'hf: model card fields as JSON (baseModel, method, circuit, data, metrics, ...)')
    .option('--base-model <name>', 'hf: the base model named in the card (default: the folder)')
    .option('--method <text>', 'hf: how the model was made, for the card')
    .option('--dtype <dtype>', 'hf: float storage f32, bf16 or f16', storage, 'F32' as WeightStorage);
  taskOptions(command, 'sentiment (onnx only)')
    .option('--batch <n>', 'onnx: rows per run', positiveInteger, 1)
    .option('--seq <n>', 'onnx: tokens per row, padding included', positiveInteger, 128)
    .option('--json', 'machine-readable output')
    .action((flags: ExportFlags) => withModelErrors(() => runExport(flags)));
}

function runExport(flags: ExportFlags): void {
  const card = flags.format === 'hf' ? cardOf(flags) : undefined; // a bad card or output fails before a long load
  checkOutputFolder(flags.out);
  const report = progressReporter('export');
  report(0, 2);
  const model = loadModel(flags.model);
  report(1, 2);
  if (card) {
    const { dir, files } = writeHfFolder(flags.out, model, { card, dtype: flags.dtype });
    report(2, 2);
    emit(Boolean(flags.json), { format: 'hf', dir, files }, () => `wrote Hugging Face folder ${dir}: ${files.join(', ')}`);
    return;
  }
  const task = resolveTask(model, { preset: flags.task, template: flags.template, labels: flags.labels });
  const result = writeOnnxFolder(flags.out, model, task, { batch: flags.batch, seq: flags.seq });
  report(2, 2);
  emit(Boolean(flags.json), { format: 'onnx', ...result }, () => {
    const specs = (list: typeof result.inputs) => list.map((s) => `${s.name} ${s.dtype}[${s.shape.join(', ')}]`).join(', ');
    return `wrote ONNX classifier ${result.dir}: ${result.files.join(', ')}\n  inputs: ${specs(result.inputs)}\n  outputs: ${specs(result.outputs)}`;
  });
}

function cardOf(flags: ExportFlags): ModelCard {
  let fields: unknown = {};
  if (flags.card) {
    try {
      fields = JSON.parse(readFileSync(flags.card, 'utf8'));
    } catch (error) {
      throw new CliError(`--card ${flags.card}: ${(error as Error).message}`);
    }
  }
  const merged = {
    baseModel: flags.baseModel ?? flags.model,
    method: flags.method ?? 'Exported by Lontar (weights as in the source folder)',
    ...(fields as object),
  };
  const parsed = modelCardSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`--card ${flags.card ?? ''}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
