// The README.md model card of an exported folder: Hugging Face front matter (base_model, tags,
// licence, languages) and what a reader needs to trust the model: base model, method, circuit,
// training data and metrics. The card's content comes from the caller (a run, or a --card file).

import { z } from 'zod';
import type { ModelConfig } from '../config';

export const modelCardSchema = z.object({
  /** The base model's name or path, e.g. "Qwen/Qwen2.5-0.5B". */
  baseModel: z.string().min(1),
  /** The base checkpoint's content hash (sha256 over its tensors; see formats.md). */
  baseModelHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** How it was adapted, e.g. "CT-SFT from an Indonesian competence checkpoint". */
  method: z.string().min(1),
  title: z.string().optional(),
  license: z.string().optional(),
  languages: z.array(z.string()).optional(),
  circuit: z
    .object({
      heads: z.array(z.object({ layer: z.number().int().nonnegative(), head: z.number().int().nonnegative() })),
      description: z.string().optional(),
      trainableFraction: z.number().min(0).max(1).optional(),
    })
    .optional(),
  data: z
    .array(
      z.object({
        name: z.string(),
        languages: z.array(z.string()).optional(),
        examples: z.number().int().nonnegative().optional(),
        licence: z.string().optional(),
        description: z.string().optional(),
      }),
    )
    .optional(),
  metrics: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  notes: z.string().optional(),
  /** When the model was exported (ISO 8601). */
  date: z.string().optional(),
}).strict(); // a misspelt field is an error, not silently left off the card

export type ModelCard = z.infer<typeof modelCardSchema>;

const yaml = (value: string) => JSON.stringify(value); // a JSON string is a valid YAML scalar

export function renderModelCard(card: ModelCard, config: ModelConfig): string {
  const tags = ['lontar', ...(/ct-sft/i.test(card.method) ? ['ct-sft'] : [])];
  const front = [
    '---',
    `base_model: ${yaml(card.baseModel)}`,
    'library_name: transformers',
    `pipeline_tag: ${config.kind === 'decoder' ? 'text-generation' : 'text-classification'}`,
    ...(card.license ? [`license: ${yaml(card.license)}`] : []),
    ...(card.languages?.length ? ['language:', ...card.languages.map((l) => `- ${yaml(l)}`)] : []),
    'tags:',
    ...tags.map((t) => `- ${t}`),
    '---',
  ];
  const sections = [
    `# ${card.title ?? `${card.baseModel} adapted with Lontar`}`,
    `Base model: **${card.baseModel}** (${config.family}, ${config.numLayers} layers, hidden ${config.hiddenSize}, ` +
      `${config.numHeads} attention heads, ${config.numKvHeads} key/value heads).` +
      (card.baseModelHash ? `\nContent hash of the base checkpoint (sha256 over its tensors): \`${card.baseModelHash}\`.` : '') +
      (card.date ? `\nExported: ${card.date}.` : ''),
    `## Method\n\n${card.method}`,
  ];
  if (card.circuit) sections.push(circuitSection(card.circuit));
  if (card.data?.length) {
    const rows = card.data.map((d) => `| ${d.name} | ${d.languages?.join(', ') ?? ''} | ${d.examples ?? ''} | ${d.licence ?? ''} | ${d.description ?? ''} |`);
    sections.push(['## Data', '', '| dataset | languages | examples | licence | notes |', '| --- | --- | --- | --- | --- |', ...rows].join('\n'));
  }
  if (card.metrics && Object.keys(card.metrics).length > 0) {
    const rows = Object.entries(card.metrics).map(([k, v]) => `| ${k} | ${typeof v === 'number' ? formatNumber(v) : v} |`);
    sections.push(['## Metrics', '', '| metric | value |', '| --- | --- |', ...rows].join('\n'));
  }
  if (card.notes) sections.push(`## Notes\n\n${card.notes}`);
  return `${front.join('\n')}\n\n${sections.join('\n\n')}\n`;
}

function circuitSection(circuit: NonNullable<ModelCard['circuit']>): string {
  const byLayer = new Map<number, number[]>();
  for (const { layer, head } of circuit.heads) byLayer.set(layer, [...(byLayer.get(layer) ?? []), head]);
  const rows = [...byLayer].sort(([a], [b]) => a - b).map(([layer, heads]) => `| ${layer} | ${[...heads].sort((a, b) => a - b).join(', ')} |`);
  const lines = ['## Circuit', '', `The circuit: ${circuit.heads.length} attention heads, whose Q/K/V/O slices were trained.`];
  if (circuit.trainableFraction !== undefined) lines.push(`Trainable fraction of parameters: ${formatNumber(circuit.trainableFraction * 100)}%.`);
  if (circuit.description) lines.push('', circuit.description);
  lines.push('', '| layer | heads |', '| --- | --- |', ...rows);
  return lines.join('\n');
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
