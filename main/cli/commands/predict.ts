// `lontar predict`: label predictions for a CSV/TSV/JSONL file, one JSON line per example with the
// predicted label and the label logits (and, with --emit-ids, the token ids fed). Decoders classify
// by label words after a prompt template; encoders by their classification head.

import { InvalidArgumentError, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeAll, writeFileAtomically } from '../../models/checkpoint/atomic-file';
import { resolveProvider } from '../../engine/runtime/provider';
import { Predictor, type Prediction } from '../../models/classification/predictor';
import { resolveTask, type ClassificationTask, type TaskPreset } from '../../models/classification/task';
import { loadModel } from '../../models/load';
import { CliError, emit } from '../output';
import { readPredictionInput, type PredictionColumns } from '../prediction-input';
import { progressReporter } from '../progress';
import { withModelErrors } from './model';

interface PredictFlags extends PredictionColumns {
  model: string;
  data: string;
  out: string;
  template?: string;
  labels?: string[];
  task?: TaskPreset;
  emitIds?: boolean;
  batch: number;
  maxLength?: number;
  json?: boolean;
}

export const labelList = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

export function positiveInteger(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function taskPreset(v: string): TaskPreset {
  if (v !== 'sentiment' && v !== 'nli') throw new InvalidArgumentError('sentiment or nli');
  return v;
}

/** Options naming the task, shared by predict and export; `fallback` says how --task defaults. */
export function taskOptions(command: Command, fallback: string): Command {
  return command
    .option('--task <preset>', `sentiment (NusaX template and labels) or nli (XNLI templates and labels); default ${fallback}`, taskPreset)
    .option('--template <text>', 'decoders: prompt template with {text} or {premise}/{hypothesis}')
    .option('--labels <labels>', 'labels in order, comma-separated; name=word when the label word differs', labelList);
}

export function registerPredict(program: Command): void {
  const command = program
    .command('predict')
    .description('predict labels for a data file with a model folder; writes one JSON line per example')
    .requiredOption('--model <dir>', 'Hugging Face model folder')
    .requiredOption('--data <file>', 'examples: .csv, .tsv or .jsonl with a text (or premise/hypothesis) column')
    .requiredOption('--out <file>', 'where the JSON lines go');
  taskOptions(command, 'nli when the data has premise/hypothesis columns, else sentiment')
    .option('--emit-ids', 'include the input ids fed to the model')
    .option('--batch <n>', 'examples per run', positiveInteger, 8)
    .option('--max-length <n>', 'longest input in tokens (default 512 or the model limit)', positiveInteger)
    .option('--text <column>', 'column holding the text')
    .option('--premise <column>', 'column holding the NLI premise')
    .option('--hypothesis <column>', 'column holding the NLI hypothesis')
    .option('--id <column>', 'column holding the example id')
    .option('--label <column>', 'column holding the gold label (optional)')
    .option('--json', 'print the summary as JSON')
    .action((flags: PredictFlags) => withModelErrors(() => predict(flags)));
}

async function predict(flags: PredictFlags): Promise<void> {
  if (!existsSync(dirname(resolve(flags.out)))) throw new CliError(`--out ${flags.out}: the folder ${dirname(resolve(flags.out))} does not exist`);
  const examples = readPredictionInput(flags.data, flags);
  const model = loadModel(flags.model);
  const preset = flags.task ?? (examples[0]?.premise != null ? 'nli' : 'sentiment');
  const task = resolveTask(model, { preset, template: flags.template, labels: flags.labels });
  await resolveProvider(); // probe CUDA once, so the runner's 'auto' can choose it
  const predictor = Predictor.create(model, task, { batchSize: flags.batch, maxLength: flags.maxLength });
  let predictions: Prediction[];
  try {
    predictions = await predictor.predict(examples, progressReporter('predict'));
  } finally {
    await predictor.close();
  }
  const lines = predictions.map((p) => JSON.stringify(predictionLine(p, task, flags.emitIds === true)));
  const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  writeFileAtomically(flags.out, (fd) => writeAll(fd, Buffer.from(text, 'utf8')));
  const labelled = predictions.filter((p) => p.gold !== null);
  const correct = labelled.filter((p) => p.gold === p.label).length;
  const summary = {
    out: flags.out,
    examples: predictions.length,
    labelled: labelled.length,
    accuracy: labelled.length > 0 ? correct / labelled.length : null,
    truncated: predictions.filter((p) => p.truncated).length,
    protocol: task.kind,
    template: task.kind === 'label-words' ? task.template.source : null,
    labels: task.labels.map((l) => l.name),
  };
  emit(Boolean(flags.json), summary, () => {
    const accuracy = summary.accuracy === null ? '' : `; accuracy ${(summary.accuracy * 100).toFixed(1)}% on ${labelled.length} labelled`;
    const truncated = summary.truncated > 0 ? `; ${summary.truncated} shortened to fit` : '';
    return `predicted ${predictions.length} examples → ${flags.out}${accuracy}${truncated}`;
  });
}

function predictionLine(p: Prediction, task: ClassificationTask, emitIds: boolean): Record<string, unknown> {
  const line: Record<string, unknown> = {
    id: p.id,
    prediction: p.label,
    logits: Object.fromEntries(task.labels.map((l, i) => [l.name, p.logits[i]])),
  };
  if (p.gold !== null) line['gold'] = p.gold;
  if (p.truncated) line['truncated'] = true;
  if (emitIds) line['input_ids'] = p.inputIds;
  return line;
}
