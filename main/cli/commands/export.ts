// `lontar export`: a model folder as a Hugging Face folder (config, safetensors, tokenizer, model
// card) or as a standalone ONNX classifier (input_ids + attention_mask → label logits); or, given a
// RUN of the workspace, that run's checkpoint (hf, onnx or a head-delta patch; export-run.ts), and
// `lontar export verify ID`.

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
import { runExportCommand, verifyExportCommand, type RunExportFlags } from './export-run';
import { withModelErrors } from './model';
import { positiveInteger, taskOptions } from './predict';

interface ExportFlags {
  model?: string;
  format: 'hf' | 'onnx' | 'patch';
  out: string;
  replace?: boolean;
  evaluation?: number;
  verify?: boolean;
  workspace?: string;
  threads?: number;
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

function exportFormat(v: string): 'hf' | 'onnx' | 'patch' {
  if (v !== 'hf' && v !== 'onnx' && v !== 'patch') throw new InvalidArgumentError('hf, onnx or patch (patch: only for a RUN)');
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
    .description('write a run of the workspace (RUN) or a model folder (--model) as a Hugging Face folder, an ONNX classifier or (a run) a head-delta patch')
    .argument('[run]', 'a finished competence or transfer run of the workspace', positiveInteger)
    .option('--model <dir>', 'a Hugging Face model folder instead of a run')
    // not requiredOption: commander would then demand them of `export verify` too
    .option('--format <format>', 'hf, onnx or patch (required)', exportFormat)
    .option('--out <dir>', 'a new (or empty) folder; written completely or not at all (required)')
    .option('--replace', 'run: replace an earlier Lontar export at --out (never any other folder)')
    .option('--evaluation <id>', 'run: the evaluation verification reproduces (default: the run\'s first)', positiveInteger)
    .option('--verify', 'run: verify the export right after writing it')
    .option('--workspace <dir>', 'run: the workspace (default: $LONTAR_WORKSPACE, else the per-user data folder)')
    .option('--threads <n>', 'run: engine threads of the jobs', positiveInteger)
    .option('--card <file>', 'hf: model card fields as JSON (baseModel, method, circuit, data, metrics, ...)')
    .option('--base-model <name>', 'hf: the base model named in the card (default: the folder)')
    .option('--method <text>', 'hf: how the model was made, for the card')
    .option('--dtype <dtype>', 'hf: float storage f32, bf16 or f16', storage, 'F32' as WeightStorage);
  taskOptions(command, 'sentiment (onnx only)')
    .option('--batch <n>', 'onnx: rows per run', positiveInteger, 1)
    .option('--seq <n>', 'onnx: tokens per row, padding included', positiveInteger, 128)
    .option('--json', 'machine-readable output')
    .action((run: number | undefined, flags: ExportFlags) => {
      if (!flags.format || !flags.out) throw new CliError(`required option '${flags.format ? '--out <dir>' : '--format <format>'}' not specified`, 2);
      if (run !== undefined) {
        if (flags.model) throw new CliError('give a RUN or --model, not both', 2);
        return runExportCommand(run, { ...flags, ...(command.getOptionValueSource('seq') !== 'cli' && { seq: undefined }) } as RunExportFlags);
      }
      if (!flags.model) throw new CliError('give a RUN of the workspace or --model DIR', 2);
      if (flags.format === 'patch') throw new CliError('--format patch exports a RUN (a patch needs the run\'s base); for two folders use `lontar patch create`', 2);
      return withModelErrors(() => runExport(flags as ExportFlags & { model: string; format: 'hf' | 'onnx' }));
    });
  command
    .command('verify')
    .description('check an export\'s files against its checksums and reproduce the run\'s stored predictions with it')
    .argument('<id>', 'the export (see the exports of a run in the workbench, or --json output of export)', positiveInteger)
    .option('--workspace <dir>', 'the workspace (default: $LONTAR_WORKSPACE, else the per-user data folder)')
    .option('--threads <n>', 'engine threads of the job', positiveInteger)
    .option('--json', 'machine-readable output')
    // the parent's options of the same names take them when typed after the id: read both
    .action((id: number, _flags: unknown, cmd: Command) => verifyExportCommand(id, cmd.optsWithGlobals<{ workspace?: string; threads?: number; json?: boolean }>()));
}

function runExport(flags: ExportFlags & { model: string; format: 'hf' | 'onnx' }): void {
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
