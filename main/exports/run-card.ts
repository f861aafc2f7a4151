// The model card of an exported run, from what the workspace recorded: the base model and its
// content hash, how the run was trained (method, circuit heads, trainable share), the data and its
// licence (NusaX is CC BY-SA 4.0: share alike; XNLI is CC BY-NC 4.0: non-commercial only), the
// target-language accuracy, how much of the proxy language's accuracy was retained, and the date.

import type { ModelCard } from '../models/export/model-card';
import type { DatasetRecord, EvaluationRecord, Workspace } from '../store/index';
import { transferConfig } from '../transfer/job-configs';
import { METHOD_LABELS } from '../transfer/methods';
import type { RunSource } from './run-source';

/** Licences of the corpora Lontar reads, for datasets imported without a LICENSE file. */
const KNOWN_LICENCES: Record<string, string> = { nusax: 'CC BY-SA 4.0', xnli: 'CC BY-NC 4.0' };

export function datasetLicence(d: DatasetRecord): string | null {
  const licence = d.licence ?? KNOWN_LICENCES[d.format] ?? null;
  if (licence && /\bNC\b/.test(licence)) return `${licence} (non-commercial use only)`;
  if (licence && /\bSA\b/.test(licence)) return `${licence} (share alike: derived models and data under the same licence)`;
  return licence;
}

const accuracyOf = (evaluations: readonly EvaluationRecord[], language: string, split = 'test') =>
  evaluations.find((e) => e.language === language && e.split === split)?.accuracy ?? null;

/** The card's metrics: every stored accuracy, plus target accuracy and proxy retention for a transfer run. */
export function runMetrics(ws: Workspace, source: RunSource): Record<string, number | string> {
  const metrics: Record<string, number | string> = {};
  const { run, competence } = source;
  const proxy = competence.config.source;
  if (run.kind === 'transfer') {
    const target = transferConfig.parse(run.config).target;
    const targetAccuracy = accuracyOf(source.evaluations, target);
    if (targetAccuracy !== null) metrics[`target accuracy (${target} test)`] = targetAccuracy;
    const before = accuracyOf(ws.evaluations.byRun(competence.run.id), proxy);
    const after = accuracyOf(source.evaluations, proxy);
    if (before !== null && after !== null) {
      metrics[`proxy accuracy (${proxy} test, before → after)`] = `${before.toFixed(4)} → ${after.toFixed(4)}`;
      if (before > 0) metrics[`proxy retention (${proxy} test, after ÷ before)`] = after / before;
    }
  }
  for (const e of source.evaluations) {
    if (e.accuracy !== null) metrics[`accuracy (${e.language} ${e.split}, ${e.count} examples)`] = e.accuracy;
    if (e.macroF1 !== null) metrics[`macro-F1 (${e.language} ${e.split})`] = e.macroF1;
  }
  return metrics;
}

function heads(facts: Record<string, unknown>): { layer: number; head: number }[] {
  const text = typeof facts['heads'] === 'string' ? facts['heads'] : '';
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((h) => h.split('.').map(Number))
    .filter(([l, h]) => Number.isInteger(l) && Number.isInteger(h))
    .map(([layer, head]) => ({ layer: layer!, head: head! }));
}

function methodText(source: RunSource, base: string): string {
  const { run, competence, method } = source;
  const c = competence.config;
  if (run.kind === 'competence') {
    return `Full fine-tuning of ${base} on ${c.nSrc} ${c.source} examples: the proxy-language competence checkpoint (stage 1 of CT-SFT), run ${run.id}.`;
  }
  const t = transferConfig.parse(run.config);
  const from = method === 'direct' ? base : `the ${c.source} competence checkpoint (run ${competence.run.id})`;
  const what =
    method === 'circuit'
      ? 'CT-SFT (Circuit-Targeted Supervised Fine-Tuning): only the circuit heads\' query/key/value/output slices and the norms were trained'
      : `${METHOD_LABELS[method as keyof typeof METHOD_LABELS]}`;
  return `${what}, on ${t.n} ${t.target} examples, starting from ${from}. Run ${run.id}, seed ${run.seed}.`;
}

/** The depth the trained circuit reached, and the asked one where expansion stopped below it. */
function circuitDepth(reached: unknown, asked: number | undefined): string {
  if (typeof reached !== 'number') return 'depth n/a';
  return asked !== undefined && asked !== reached ? `depth ${reached} (expansion stopped below the asked ${asked})` : `depth ${reached}`;
}

export function runModelCard(ws: Workspace, source: RunSource, date: string): ModelCard {
  const { run, competence, baseModel, facts } = source;
  const dataset = ws.datasets.get(competence.config.datasetId);
  const transfer = run.kind === 'transfer' ? transferConfig.parse(run.config) : undefined;
  const languages = [...new Set([competence.config.source, ...(transfer ? [transfer.target] : [])])];
  const circuitHeads = heads(facts);
  const fraction = typeof facts['trainableFraction'] === 'number' ? facts['trainableFraction'] : undefined;
  const licence = dataset ? datasetLicence(dataset) : null;
  return {
    baseModel: baseModel.name,
    baseModelHash: baseModel.contentHash,
    method: methodText(source, baseModel.name),
    title: `${baseModel.name} adapted to ${languages.join(' → ')} with Lontar (run ${run.id})`,
    ...(licence && { license: licence.split(' (')[0] }),
    languages,
    ...(circuitHeads.length > 0 && {
      circuit: { heads: circuitHeads, ...(fraction !== undefined && { trainableFraction: fraction }), description: `Method: ${source.method}; key/value mode: ${String(facts['kv'] ?? 'n/a')}; ${circuitDepth(facts['depth'], transfer?.depth)}.` },
    }),
    ...(dataset && {
      data: [
        {
          name: dataset.name,
          languages,
          examples: competence.config.nSrc + (transfer?.n ?? 0),
          ...(licence && { licence }),
          description: transfer
            ? `${competence.config.nSrc} ${competence.config.source} examples (competence) + ${transfer.n} ${transfer.target} examples (this run)`
            : `${competence.config.nSrc} ${competence.config.source} examples`,
        },
      ],
    }),
    metrics: runMetrics(ws, source),
    notes: [
      fraction !== undefined ? `Trainable parameters: ${String(facts['trainable'])} of ${String(facts['totalParameters'])}.` : '',
      `Task: ${competence.config.task.preset}; prompts of at most ${source.maxLength} tokens.`,
      'Exported by Lontar; the files are listed with their SHA-256 in SHA256SUMS (`sha256sum -c SHA256SUMS`).',
    ].filter(Boolean).join('\n'),
    date,
  };
}
