// `lontar discover`: CD-T circuit discovery on a model folder and a dataset, written to circuit.json.

import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { expansionOf, writeCircuitFile, type CircuitFile } from '../../circuits/circuit-file';
import type { RandomNull } from '../../circuits/faithfulness';
import { DEFAULT_DISCOVERY, runDiscovery } from '../../circuits/run-discovery';
import { PAPER_POOL_SIZES, splitPools } from '../../data/index';
import { resolveProvider } from '../../engine/runtime/provider';
import { SIGN_CLEANUPS, type SignCleanup } from '../../engine/ops/op-def';
import type { ClassificationExample } from '../../models/classification/batch-encoder';
import { resolveTask } from '../../models/classification/task';
import { loadModel } from '../../models/load';
import { describeDiscoveryEstimate, estimateDiscoveryFor } from '../../transfer/launch-estimate';
import { CliError, emit } from '../output';
import { stageReporter } from '../progress';
import { readExamples } from '../read-examples';

interface DiscoverFlags {
  model: string;
  data: string;
  valid?: string;
  language?: string;
  template?: string;
  labels?: string;
  out: string;
  seed: string;
  p: string;
  depth: string;
  meanSize: string;
  discoverySize: string;
  rankBy: string;
  attention: string;
  signCleanup: string;
  sourceScope: string;
  batch: string;
  maxLength: string;
  fastScreen: boolean;
  randomDraws: string;
  json?: boolean;
}

const int = (name: string, v: string, min = 0) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} must be an integer ≥ ${min}, got "${v}"`);
  return n;
};

/** The discovery pool: pool A of the training split (paper 400/100) when it is large enough. */
function discoveryPool(train: ClassificationExample[], seed: number): ClassificationExample[] {
  const { discoverySize, tuningSize } = PAPER_POOL_SIZES;
  if (train.length < discoverySize + tuningSize) return train;
  const candidates = train.map((e) => ({ ...e, sourceId: e.id, label: e.label!, split: 'train' }));
  return splitPools(candidates, seed).discovery;
}

/** One line: the random sets' faithfulness spread and the circuit's permutation p-values. */
export function randomNullLine(n: RandomNull): string {
  const pm = (s: RandomNull['accuracyFaithfulness']) => `${s.mean.toFixed(1)} ± ${s.std.toFixed(1)}% (${s.min.toFixed(1)} to ${s.max.toFixed(1)})`;
  return `${n.draws} random sets of ${n.heads} heads: accuracy ${pm(n.accuracyFaithfulness)}, margin ${pm(n.marginFaithfulness)}; ${n.circuit} p = ${n.pAccuracy.toFixed(3)} (accuracy), ${n.pMargin.toFixed(3)} (margin)`;
}

function summary(file: CircuitFile): string {
  const lines = [`circuit (${file.circuit.length} heads): ${file.circuit.map((h) => `${h.layer}.${h.head}`).join(' ')}`];
  for (const it of file.iterations) lines.push(`  depth ${it.depth}: ${it.selected.map((h) => `${h.layer}.${h.head}`).join(' ')}  (${it.seconds.toFixed(1)} s)`);
  lines.push(`  ${expansionOf(file).reason}`);
  const m = file.meanBaseline;
  if (m && m.unreachedPositions > 0) lines.push(`  mean baseline: ${m.examples} examples reach ${m.reachedPositions} of ${m.seq} positions; the other ${m.unreachedPositions} use the pooled mean (${m.examplesAtUnreached} scored examples have tokens there)`);
  if (file.faithfulness) {
    const f = file.faithfulness;
    lines.push(`faithfulness on ${f.examples} validation examples (full model: accuracy ${(100 * f.full.accuracy).toFixed(1)}%):`);
    for (const c of f.circuits) lines.push(`  ${c.name.padEnd(16)} ${String(c.heads).padStart(3)} heads  accuracy ${c.accuracyFaithfulness.toFixed(1)}%  margin ${c.marginFaithfulness.toFixed(1)}%`);
    if (f.randomNull) lines.push(`  ${randomNullLine(f.randomNull)}`);
  }
  if (file.fastScreen) lines.push(`fast screen: Spearman ρ with CD-T = ${file.fastScreen.spearmanWithCdt.toFixed(3)} (${file.fastScreen.seconds.toFixed(1)} s)`);
  return lines.join('\n');
}

export function registerDiscover(program: Command): void {
  const d = DEFAULT_DISCOVERY;
  program
    .command('discover')
    .description('find the attention heads that carry the task (CD-T with label-balanced means and directional relevance)')
    .requiredOption('--model <dir>', 'model folder (config.json, model.safetensors, tokenizer.json)')
    .requiredOption('--data <path>', 'dataset file or NusaX/XNLI folder; its training split is the discovery pool')
    .option('--valid <path>', 'validation data for faithfulness (default: the valid split of --data)')
    .option('--language <code>', 'language inside a multilingual folder (e.g. ind)')
    .option('--template <template>', 'prompt template for decoders (default: the sentiment template)')
    .option('--labels <list>', 'labels in order, comma-separated (name or name=word)')
    .requiredOption('--out <file>', 'where to write circuit.json')
    .option('--seed <n>', 'seed for pools, samples and controls', String(d.seed))
    .option('--p <fraction>', 'fraction of heads kept per iteration', String(d.selectionRatio))
    .option('--depth <n>', 'expansion iterations after the first (cap 3)', String(d.maxDepth))
    .option('--mean-size <n>', 'examples in the mean baseline M', String(d.meanSize))
    .option('--discovery-size <n>', 'examples scored', String(d.discoverySize))
    .option('--rank-by <score>', 'directional | magnitude', d.rankBy)
    .option('--attention <rule>', 'fixed | beta-softmax', d.cd.attention)
    .option('--sign-cleanup <where>', 'the reference sign cleanup: mlp (after the MLP layers and residual add) | all (after every linear layer and residual add) | off', d.cd.signCleanup)
    .option('--source-scope <scope>', 'all-positions | label-position', d.sourceScope)
    .option('--batch <n>', 'examples per run', String(d.batchSize))
    .option('--max-length <n>', 'longest prompt in tokens', String(d.maxLength))
    .option('--no-fast-screen', 'skip the first-order attribution screen')
    .option('--random-draws <n>', "random sets of the circuit's size to compare its faithfulness with (0: none)", String(d.randomDraws ?? 0))
    .option('--json', 'print the circuit file instead of a summary')
    .action(async (flags: DiscoverFlags) => {
      const seed = int('seed', flags.seed);
      const p = Number(flags.p);
      if (!(p > 0 && p <= 1)) throw new CliError(`--p must be in (0, 1], got "${flags.p}"`);
      if (!['directional', 'magnitude'].includes(flags.rankBy)) throw new CliError(`--rank-by must be directional or magnitude`);
      if (!['fixed', 'beta-softmax'].includes(flags.attention)) throw new CliError(`--attention must be fixed or beta-softmax`);
      if (!(SIGN_CLEANUPS as readonly string[]).includes(flags.signCleanup)) throw new CliError(`--sign-cleanup must be ${SIGN_CLEANUPS.join(', ')}`);
      if (!['all-positions', 'label-position'].includes(flags.sourceScope)) throw new CliError(`--source-scope must be all-positions or label-position`);
      const [batchSize, maxLength, maxDepth] = [int('batch', flags.batch, 1), int('max-length', flags.maxLength, 8), Math.min(3, int('depth', flags.depth))];
      const [meanSize, discoverySize] = [int('mean-size', flags.meanSize, 1), int('discovery-size', flags.discoverySize, 1)];
      const [sourceScope, attention] = [flags.sourceScope as 'all-positions' | 'label-position', flags.attention as 'fixed' | 'beta-softmax'];
      const estimated = { meanSize, discoverySize, batchSize, maxLength, maxDepth, sourceScope, cd: { attention }, fastScreen: flags.fastScreen, threads: availableParallelism() };
      const estimate = estimateDiscoveryFor(flags.model, estimated);
      process.stderr.write(`${estimate.fits ? '' : 'warning: '}${describeDiscoveryEstimate(estimate)}\n`);
      const model = loadModel(flags.model);
      const task = resolveTask(model, { template: flags.template, labels: flags.labels?.split(',') });
      const train = readExamples(flags.data, { split: 'train', language: flags.language });
      const validation = readExamples(flags.valid ?? flags.data, { split: 'valid', language: flags.language });
      const pool = discoveryPool(train, seed);
      await resolveProvider(); // probe CUDA once, so the runner's 'auto' can choose it
      const progress = stageReporter();
      const file = await runDiscovery(
        model,
        task,
        { pool, validation },
        {
          ...d,
          seed,
          selectionRatio: p,
          maxDepth,
          meanSize,
          discoverySize,
          rankBy: flags.rankBy as 'directional' | 'magnitude',
          cd: { attention, tol: d.cd.tol, signCleanup: flags.signCleanup as SignCleanup },
          sourceScope,
          batchSize,
          maxLength,
          fastScreen: flags.fastScreen,
          randomDraws: int('random-draws', flags.randomDraws),
        },
        progress.report,
      );
      progress.end();
      writeCircuitFile(flags.out, file);
      emit(Boolean(flags.json), file, () => `${summary(file)}\nwritten to ${flags.out}`);
    });
}
