// `lontar model inspect DIR`: family, sizes, heads, vocabulary, dtypes and parameter count of a
// Hugging Face model folder, read from its headers only. Also home of `withModelErrors`, which turns
// the model layer's user-facing errors into clean CLI messages (exit code 1).

import type { Command } from 'commander';
import { inspectModel, type ModelSummary } from '../../models/inspect';
import { CliError, emit, isUserError } from '../output';

export async function withModelErrors<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isUserError(e)) throw new CliError(e.message, 1);
    throw e;
  }
}

export function registerModel(program: Command): void {
  const group = program.command('model').description('model folders: inspect what a Hugging Face folder holds');
  group
    .command('inspect')
    .description('family, sizes, layers, heads, kv heads, vocab, dtype and parameters of a model folder')
    .argument('<dir>', 'a Hugging Face model folder (config.json, safetensors, tokenizer.json)')
    .option('--json', 'machine-readable output')
    .action((dir: string, opts: { json?: boolean }) =>
      withModelErrors(() => {
        const s = inspectModel(dir);
        emit(Boolean(opts.json), s, () => describe(s));
      }),
    );
}

function describe(s: ModelSummary): string {
  const millions = (s.parameters / 1e6).toFixed(s.parameters < 1e7 ? 2 : 1);
  const stored = Object.entries(s.dtype.stored).map(([d, n]) => `${d} ×${n}`).join(', ');
  const tokenizer = 'error' in s.tokenizer ? `unusable: ${s.tokenizer.error}` : `${s.tokenizer.model}, ${s.tokenizer.vocab} tokens, pads ${s.tokenizer.paddingSide} with id ${s.tokenizer.padTokenId}`;
  const lines = [
    `${s.dir}: ${s.family} ${s.kind} (${s.architectures.join(', ') || 'no architectures listed'})`,
    `  layers ${s.layers}, hidden ${s.hidden}, heads ${s.heads} (kv ${s.kvHeads}) of ${s.headDim}, FFN ${s.intermediate}`,
    `  vocab ${s.vocab}, max positions ${s.maxPositions}${s.kind === 'decoder' ? `, ${s.tiedEmbeddings ? 'tied' : 'untied'} embeddings` : ''}`,
    `  parameters ${millions} M; stored ${stored}${s.dtype.config ? ` (config: ${s.dtype.config})` : ''}; ${s.files.count} file(s), ${(s.files.bytes / 2 ** 20).toFixed(1)} MiB`,
    `  tokenizer: ${tokenizer}`,
  ];
  if (s.classifierLabels) lines.push(`  classifier head: ${s.classifierLabels.join(', ')}`);
  if (s.unusedTensors.length > 0) lines.push(`  unused tensors: ${s.unusedTensors.length} (${s.unusedTensors.slice(0, 3).join(', ')}${s.unusedTensors.length > 3 ? ', ...' : ''})`);
  return lines.join('\n');
}
