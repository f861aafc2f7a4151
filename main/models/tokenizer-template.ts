// Where a tokenizer puts its special tokens around one text or a pair ([CLS] A [SEP] B [SEP],
// <s> A </s></s> B </s>, a Llama BOS, or nothing for Qwen2), read from tokenizer.json's
// post_processor. Lontar applies it itself, after its own truncation, so the special tokens are
// never cut off and a pair is never silently dropped (the JS library loses the second text of a
// pair under a ByteLevel post-processor).

import { TokenizerFileError } from './tokenizer-json';

export type TemplatePiece =
  | { readonly kind: 'special'; readonly ids: readonly number[]; readonly typeId: number }
  | { readonly kind: 'sequence'; readonly which: 'A' | 'B'; readonly typeId: number };

export interface SpecialTokenTemplate {
  readonly single: readonly TemplatePiece[];
  readonly pair: readonly TemplatePiece[];
}

const A0: TemplatePiece = { kind: 'sequence', which: 'A', typeId: 0 };
const B1: TemplatePiece = { kind: 'sequence', which: 'B', typeId: 1 };
const PLAIN: SpecialTokenTemplate = { single: [A0], pair: [A0, B1] };

/** The template a post_processor describes; `source` names tokenizer.json in errors. */
export function templateFromPostProcessor(postProcessor: Record<string, unknown> | null, source: string): SpecialTokenTemplate {
  if (!postProcessor) return PLAIN;
  const type = postProcessor['type'];
  const special = (value: unknown, field: string, typeId: number): TemplatePiece => {
    if (!Array.isArray(value) || typeof value[1] !== 'number') {
      throw new TokenizerFileError(`${source}: post_processor.${field} must be [token, id]`);
    }
    return { kind: 'special', ids: [value[1]], typeId };
  };
  switch (type) {
    case 'ByteLevel':
      return PLAIN;
    case 'BertProcessing': {
      const cls = special(postProcessor['cls'], 'cls', 0);
      return {
        single: [cls, A0, special(postProcessor['sep'], 'sep', 0)],
        pair: [cls, A0, special(postProcessor['sep'], 'sep', 0), B1, special(postProcessor['sep'], 'sep', 1)],
      };
    }
    case 'RobertaProcessing': {
      // RoBERTa and XLM-R give every token of a pair type id 0.
      const cls = special(postProcessor['cls'], 'cls', 0);
      const sep = special(postProcessor['sep'], 'sep', 0);
      return { single: [cls, A0, sep], pair: [cls, A0, sep, sep, { kind: 'sequence', which: 'B', typeId: 0 }, sep] };
    }
    case 'TemplateProcessing':
      return {
        single: parseTemplate(postProcessor, 'single', source),
        pair: parseTemplate(postProcessor, 'pair', source),
      };
    case 'Sequence': {
      const processors = postProcessor['processors'];
      if (!Array.isArray(processors)) throw new TokenizerFileError(`${source}: post_processor.processors must be a list`);
      const templates = processors.filter((p) => (p as Record<string, unknown>)?.['type'] !== 'ByteLevel');
      if (templates.length > 1) throw new TokenizerFileError(`${source}: post_processor has more than one template-adding processor`);
      return templateFromPostProcessor((templates[0] as Record<string, unknown> | undefined) ?? null, source);
    }
    default:
      throw new TokenizerFileError(`${source}: post_processor type ${JSON.stringify(type)} is not supported`);
  }
}

function parseTemplate(config: Record<string, unknown>, which: 'single' | 'pair', source: string): TemplatePiece[] {
  const items = config[which];
  const specials = (config['special_tokens'] ?? {}) as Record<string, { ids?: unknown }>;
  if (!Array.isArray(items)) throw new TokenizerFileError(`${source}: post_processor.${which} must be a list`);
  return items.map((item: Record<string, { id?: unknown; type_id?: unknown }>, i) => {
    const where = `post_processor.${which}[${i}]`;
    const typeId = Number(item['SpecialToken']?.type_id ?? item['Sequence']?.type_id ?? 0);
    if (item['Sequence']) {
      const id = item['Sequence'].id;
      if (id !== 'A' && id !== 'B') throw new TokenizerFileError(`${source}: ${where} names sequence ${JSON.stringify(id)}, not A or B`);
      return { kind: 'sequence', which: id, typeId };
    }
    if (item['SpecialToken']) {
      const name = String(item['SpecialToken'].id);
      const ids = specials[name]?.ids;
      if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x) && x >= 0)) {
        throw new TokenizerFileError(`${source}: ${where} uses special token ${JSON.stringify(name)}, which special_tokens does not define`);
      }
      return { kind: 'special', ids: ids as number[], typeId };
    }
    throw new TokenizerFileError(`${source}: ${where} is neither a SpecialToken nor a Sequence`);
  });
}

/** Number of special tokens a template adds (what truncation must leave room for). */
export function specialTokenCount(pieces: readonly TemplatePiece[]): number {
  return pieces.reduce((n, p) => n + (p.kind === 'special' ? p.ids.length : 0), 0);
}

/** Lays out A (and B) with the template's special tokens and type ids. */
export function applyTemplate(
  pieces: readonly TemplatePiece[],
  a: readonly number[],
  b: readonly number[] | null,
): { ids: number[]; typeIds: number[] } {
  const ids: number[] = [];
  const typeIds: number[] = [];
  for (const p of pieces) {
    const run = p.kind === 'special' ? p.ids : p.which === 'A' ? a : (b ?? []);
    for (const id of run) {
      ids.push(id);
      typeIds.push(p.typeId);
    }
  }
  return { ids, typeIds };
}
