// Validation of tokenizer.json before it reaches @huggingface/tokenizers, which otherwise fails late
// or silently on a broken file (a merge naming an unknown token, a missing unk token, an
// unsupported model or split behaviour). Every problem is reported with the file and JSON path.

import { z } from 'zod';

export class TokenizerFileError extends Error {
  override name = 'TokenizerFileError';
}

export const SUPPORTED_TOKENIZER_MODELS = ['BPE', 'WordPiece', 'Unigram'] as const;
export type TokenizerModelType = (typeof SUPPORTED_TOKENIZER_MODELS)[number];

const tokenIdSchema = z.number().int().nonnegative();

const addedTokenSchema = z.object({
  id: tokenIdSchema,
  content: z.string().min(1),
  special: z.boolean().optional(),
  single_word: z.boolean().optional(),
  lstrip: z.boolean().optional(),
  rstrip: z.boolean().optional(),
  normalized: z.boolean().optional(),
});

const bpeSchema = z.object({
  type: z.literal('BPE'),
  vocab: z.record(z.string(), tokenIdSchema),
  merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
  unk_token: z.string().nullish(),
  continuing_subword_prefix: z.string().nullish(),
  end_of_word_suffix: z.string().nullish(),
  byte_fallback: z.boolean().nullish(),
  ignore_merges: z.boolean().nullish(),
});

const wordPieceSchema = z.object({
  type: z.literal('WordPiece'),
  vocab: z.record(z.string(), tokenIdSchema),
  unk_token: z.string(),
  continuing_subword_prefix: z.string().nullish(),
  max_input_chars_per_word: z.number().int().positive().nullish(),
});

const unigramSchema = z.object({
  type: z.literal('Unigram'),
  vocab: z.array(z.tuple([z.string(), z.number()])).min(1),
  unk_id: tokenIdSchema.nullish(),
  byte_fallback: z.boolean().nullish(),
});

const componentSchema = z.looseObject({ type: z.string() }).nullish();

const tokenizerJsonSchema = z.object({
  added_tokens: z.array(addedTokenSchema).nullish(),
  normalizer: componentSchema,
  pre_tokenizer: componentSchema,
  post_processor: componentSchema,
  decoder: componentSchema,
  padding: z.looseObject({ pad_id: tokenIdSchema.nullish(), pad_token: z.string().nullish() }).nullish(),
  model: z.looseObject({ type: z.string().optional() }),
});

export interface TokenizerJson {
  added_tokens: z.infer<typeof addedTokenSchema>[];
  normalizer: Record<string, unknown> | null;
  pre_tokenizer: Record<string, unknown> | null;
  post_processor: Record<string, unknown> | null;
  decoder: Record<string, unknown> | null;
  padding: { pad_id?: number | null; pad_token?: string | null } | null;
  model: Record<string, unknown> & { type: TokenizerModelType };
}

/** Parses tokenizer.json text; returns a normalized copy the library can load. */
export function parseTokenizerJson(text: string, source: string): TokenizerJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TokenizerFileError(`${source}: not valid JSON: ${(error as Error).message}`);
  }
  return validateTokenizerJson(json, source);
}

export function validateTokenizerJson(json: unknown, source: string): TokenizerJson {
  const top = check(tokenizerJsonSchema, json, source, '');
  const modelType = inferModelType(top.model, source);
  const model = { ...top.model, type: modelType };
  if (modelType === 'BPE') checkBpe(check(bpeSchema, model, source, 'model.'), source);
  else if (modelType === 'WordPiece') checkWordPiece(check(wordPieceSchema, model, source, 'model.'), source, model);
  else checkUnigram(check(unigramSchema, model, source, 'model.'), source);
  const result: TokenizerJson = {
    added_tokens: top.added_tokens ?? [],
    normalizer: top.normalizer ?? null,
    pre_tokenizer: top.pre_tokenizer ?? null,
    post_processor: top.post_processor ?? null,
    decoder: top.decoder ?? null,
    padding: top.padding ?? null,
    model,
  };
  checkComponents(result, source);
  return result;
}

/** Files written by older libraries omit model.type; the Rust loader infers it the same way. */
function inferModelType(model: Record<string, unknown>, source: string): TokenizerModelType {
  const type = model['type'];
  if (typeof type === 'string') {
    if ((SUPPORTED_TOKENIZER_MODELS as readonly string[]).includes(type)) return type as TokenizerModelType;
    throw new TokenizerFileError(`${source}: model.type "${type}" is not supported (supported: ${SUPPORTED_TOKENIZER_MODELS.join(', ')})`);
  }
  if (Array.isArray(model['vocab'])) return 'Unigram';
  if ('merges' in model) return 'BPE';
  if ('continuing_subword_prefix' in model) return 'WordPiece';
  throw new TokenizerFileError(`${source}: model has no type and is not recognisable as ${SUPPORTED_TOKENIZER_MODELS.join(', ')}`);
}

function checkBpe(model: z.infer<typeof bpeSchema>, source: string): void {
  checkUniqueIds(model.vocab, source);
  if (model.continuing_subword_prefix) {
    throw new TokenizerFileError(`${source}: BPE with continuing_subword_prefix is not supported by the tokenizer library`);
  }
  const vocab = model.vocab;
  model.merges.forEach((merge, i) => {
    const pair = typeof merge === 'string' ? merge.split(' ') : merge;
    if (pair.length !== 2) throw new TokenizerFileError(`${source}: model.merges[${i}] "${String(merge)}" is not a pair of tokens`);
    const [a, b] = pair as [string, string];
    for (const part of [a, b, a + b]) {
      if (!Object.hasOwn(vocab, part)) {
        throw new TokenizerFileError(`${source}: model.merges[${i}] (${JSON.stringify(a)} + ${JSON.stringify(b)}) uses ${JSON.stringify(part)}, which is not in the vocab`);
      }
    }
  });
  if (model.unk_token && !Object.hasOwn(vocab, model.unk_token)) {
    throw new TokenizerFileError(`${source}: model.unk_token ${JSON.stringify(model.unk_token)} is not in the vocab`);
  }
}

function checkWordPiece(model: z.infer<typeof wordPieceSchema>, source: string, target: Record<string, unknown>): void {
  checkUniqueIds(model.vocab, source);
  if (!Object.hasOwn(model.vocab, model.unk_token)) {
    throw new TokenizerFileError(`${source}: model.unk_token ${JSON.stringify(model.unk_token)} is not in the vocab`);
  }
  // The library concatenates the prefix as is; the Rust default is "##".
  target['continuing_subword_prefix'] = model.continuing_subword_prefix ?? '##';
}

function checkUnigram(model: z.infer<typeof unigramSchema>, source: string): void {
  if (model.unk_id !== null && model.unk_id !== undefined && model.unk_id >= model.vocab.length) {
    throw new TokenizerFileError(`${source}: model.unk_id ${model.unk_id} is outside the ${model.vocab.length}-entry vocab`);
  }
}

function checkUniqueIds(vocab: Record<string, number>, source: string): void {
  const seen = new Map<number, string>();
  for (const [token, id] of Object.entries(vocab)) {
    const other = seen.get(id);
    if (other !== undefined) throw new TokenizerFileError(`${source}: model.vocab gives id ${id} to both ${JSON.stringify(other)} and ${JSON.stringify(token)}`);
    seen.set(id, token);
  }
}

const SPLIT_BEHAVIORS = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

/** Refuses component settings that would otherwise load and then tokenize differently from Rust. */
function checkComponents(json: TokenizerJson, source: string): void {
  const visit = (node: Record<string, unknown> | null, path: string): void => {
    if (!node) return;
    const type = node['type'];
    if (type === 'Sequence') {
      const children = (node['pretokenizers'] ?? node['normalizers']) as unknown;
      if (!Array.isArray(children)) throw new TokenizerFileError(`${source}: ${path} is a Sequence without a list`);
      children.forEach((child, i) => visit(child as Record<string, unknown>, `${path}[${i}]`));
      return;
    }
    if (type === 'Split' || type === 'Punctuation') {
      const behavior = node['behavior'] ?? 'Isolated';
      if (typeof behavior !== 'string' || !SPLIT_BEHAVIORS.includes(behavior)) {
        throw new TokenizerFileError(`${source}: ${path}.behavior ${JSON.stringify(behavior)} is not one of ${SPLIT_BEHAVIORS.join(', ')}`);
      }
    }
    if (type === 'Split') {
      const pattern = node['pattern'] as Record<string, unknown> | undefined;
      if (!pattern || (typeof pattern['Regex'] !== 'string' && typeof pattern['String'] !== 'string')) {
        throw new TokenizerFileError(`${source}: ${path}.pattern must be {"Regex": ...} or {"String": ...}`);
      }
    }
  };
  visit(json.normalizer, 'normalizer');
  visit(json.pre_tokenizer, 'pre_tokenizer');
}

function check<S extends z.ZodType>(schema: S, value: unknown, source: string, prefix: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = prefix + issue.path.join('.');
  throw new TokenizerFileError(`${source}: ${path || '(root)'}: ${issue.message}`);
}
