// What a classification task is for a given model: the protocol and its labels.
//   label-words (decoders, the paper's): a prompt template; each label is one token (" positive");
//                the label logits are the hidden state at the prompt's last token times those
//                tokens' rows of the unembedding.
//   classifier (encoders): the model's own [CLS] → pooler → classifier head; labels from config.json.

import type { ModelConfig } from '../config';
import { labelWordTokenIds } from '../label-words';
import type { ResolvedLayout } from '../tensor-layout';
import type { LontarTokenizer } from '../tokenizer';
import { DEFAULT_TEMPLATES, PromptTemplate, TemplateError } from './prompt-template';

export interface TaskLabel {
  /** The label as the data names it. */
  readonly name: string;
  /** Label-word protocol: the word read after the prompt, and its single token. */
  readonly word?: string;
  readonly tokenId?: number;
}

export type ClassificationTask =
  | { readonly kind: 'label-words'; readonly template: PromptTemplate; readonly labels: readonly TaskLabel[] }
  | { readonly kind: 'classifier'; readonly labels: readonly TaskLabel[] };

export type TaskPreset = keyof typeof DEFAULT_TEMPLATES;

export const DEFAULT_LABELS: Record<TaskPreset, readonly string[]> = {
  sentiment: ['negative', 'neutral', 'positive'],
  nli: ['entailment', 'neutral', 'contradiction'],
};

export interface TaskOptions {
  /** Which defaults apply (default: sentiment). */
  preset?: TaskPreset;
  /** Prompt template (decoders). */
  template?: string;
  /** Labels in order: `name`, or `name=word` when the data's label differs from the word read. */
  labels?: readonly string[];
}

export class TaskError extends Error {
  override name = 'TaskError';
}

export interface TaskModelSource {
  config: ModelConfig;
  tokenizer: LontarTokenizer;
  layout: ResolvedLayout;
}

/** The task for a model: label words for decoders, the classifier head for encoders. */
export function resolveTask(model: TaskModelSource, options: TaskOptions = {}): ClassificationTask {
  const preset = options.preset ?? 'sentiment';
  return model.config.kind === 'decoder' ? labelWordTask(model.tokenizer, preset, options) : classifierTask(model, options);
}

function labelWordTask(tokenizer: LontarTokenizer, preset: TaskPreset, options: TaskOptions): ClassificationTask {
  const template = PromptTemplate.parse(options.template ?? DEFAULT_TEMPLATES[preset]);
  const pairs = (options.labels ?? DEFAULT_LABELS[preset]).map(parseLabel);
  const tokens = labelWordTokenIds(tokenizer, pairs.map((p) => p.word));
  // The label is read at the last token: a tokenizer that appends a special token (an EOS) after
  // the text would put it there instead.
  const sample = tokenizer.encode(template.render({ text: 'x', premise: 'x', hypothesis: 'x' })).inputIds;
  if (tokenizer.specialTokenIds.has(sample[sample.length - 1]!)) {
    throw new TemplateError(`${tokenizer.source}: the tokenizer ends every text with special token ${sample[sample.length - 1]}, so the prompt's last token is not where the label follows`);
  }
  const labels = pairs.map((p, i) => ({ name: p.name, word: p.word, tokenId: tokens[i]!.tokenId }));
  return { kind: 'label-words', template, labels };
}

function classifierTask(model: TaskModelSource, options: TaskOptions): ClassificationTask {
  const { config, layout } = model;
  if (options.template !== undefined) {
    throw new TaskError(`${config.family} is an encoder: it classifies with its own head, so a prompt template does not apply`);
  }
  if (!layout.hasClassifier) {
    throw new TaskError(`this ${config.family} checkpoint has no sequence-classification head (no classifier.* tensors); Lontar classifies encoders with their own head`);
  }
  const names = options.labels?.map((l) => parseLabel(l).name) ?? config.id2label;
  if (names.length !== config.numLabels) {
    throw new TaskError(`${names.length} labels given, but the classifier head has ${config.numLabels} outputs (${config.id2label.join(', ')})`);
  }
  if (new Set(names).size !== names.length) throw new TaskError(`labels must be distinct: ${names.join(', ')}`);
  return { kind: 'classifier', labels: names.map((name) => ({ name })) };
}

function parseLabel(spec: string): { name: string; word: string } {
  const eq = spec.indexOf('=');
  const [name, word] = eq < 0 ? [spec, spec] : [spec.slice(0, eq), spec.slice(eq + 1)];
  if (name.trim() === '') throw new TaskError(`label "${spec}" has no name`);
  return { name: name.trim(), word: word.trim() };
}

/** Index of a data label among the task's labels; throws naming the known labels. */
export function labelIndex(task: ClassificationTask, name: string): number {
  const i = task.labels.findIndex((l) => l.name === name);
  if (i < 0) throw new TaskError(`label "${name}" is not one of the task's labels (${task.labels.map((l) => l.name).join(', ')})`);
  return i;
}
