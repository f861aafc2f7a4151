// Prompt templates of the label-word protocol: text with {text}, {premise} and {hypothesis}
// placeholders ({{ and }} for literal braces). The label is read at the prompt's last token, so when
// a prompt is too long the example's fields are shortened, never the template's own words.

import type { LontarTokenizer } from '../tokenizer';

export const TEMPLATE_FIELDS = ['text', 'premise', 'hypothesis'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export type PromptFields = Partial<Record<TemplateField, string | null>>;

/** The paper's templates: NusaX sentiment and XNLI. */
export const DEFAULT_TEMPLATES = {
  sentiment: '{text} | sentiment:',
  nli: 'Premise: {premise} Hypothesis: {hypothesis} Label:',
} as const;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Piece = { literal: string } | { field: TemplateField };

export class PromptTemplate {
  private constructor(
    readonly source: string,
    private readonly pieces: readonly Piece[],
  ) {}

  static parse(source: string): PromptTemplate {
    const pieces: Piece[] = [];
    let literal = '';
    for (let i = 0; i < source.length; i++) {
      const c = source[i]!;
      if ((c === '{' || c === '}') && source[i + 1] === c) {
        literal += c;
        i++;
      } else if (c === '{') {
        const close = source.indexOf('}', i);
        const name = close < 0 ? '' : source.slice(i + 1, close);
        if (!(TEMPLATE_FIELDS as readonly string[]).includes(name)) {
          const shown = close < 0 ? source.slice(i) : `{${name}}`;
          throw new TemplateError(`template "${source}": unknown placeholder ${shown} (use ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')}; {{ and }} for braces)`);
        }
        if (literal) pieces.push({ literal });
        literal = '';
        pieces.push({ field: name as TemplateField });
        i = close;
      } else if (c === '}') {
        throw new TemplateError(`template "${source}": unmatched } at character ${i + 1} (write }} for a literal brace)`);
      } else literal += c;
    }
    if (literal) pieces.push({ literal });
    if (!pieces.some((p) => 'field' in p)) throw new TemplateError(`template "${source}" has no placeholder; it needs {text}, or {premise} and {hypothesis}`);
    return new PromptTemplate(source, pieces);
  }

  /** The placeholders used, in order of first appearance. */
  get fields(): TemplateField[] {
    return [...new Set(this.pieces.flatMap((p) => ('field' in p ? [p.field] : [])))];
  }

  render(values: PromptFields): string {
    return this.pieces
      .map((p) => {
        if ('literal' in p) return p.literal;
        const value = values[p.field];
        if (value === undefined || value === null) throw new TemplateError(`template "${this.source}" needs {${p.field}}, which the example does not have`);
        return value;
      })
      .join('');
  }
}

/** The default template for an example's fields: NLI when it has a premise and hypothesis. */
export function defaultTemplateFor(values: PromptFields): string {
  return values.premise != null && values.hypothesis != null ? DEFAULT_TEMPLATES.nli : DEFAULT_TEMPLATES.sentiment;
}

/**
 * Token ids of the rendered prompt (with the tokenizer's special tokens) in at most `maxLength`
 * tokens: while too long, the longest field loses as many tokens as the prompt is over, and the prompt
 * is rendered and tokenized again (so tokens at the cut are those a whole-prompt tokenization gives).
 */
export function fitPrompt(
  tokenizer: LontarTokenizer,
  template: PromptTemplate,
  values: PromptFields,
  maxLength: number,
): { ids: number[]; truncated: boolean } {
  const limit = Math.min(maxLength, tokenizer.maxLength);
  const current: PromptFields = { ...values };
  const specials = tokenizer.specialTokenCount();
  for (let attempt = 0; attempt < 32; attempt++) {
    const prompt = template.render(current);
    const over = tokenizer.encodeText(prompt).length + specials - limit;
    if (over <= 0) return { ids: tokenizer.encode(prompt, { maxLength: limit }).inputIds, truncated: attempt > 0 };
    const lengths = template.fields.map((f) => ({ f, ids: tokenizer.encodeText(current[f] ?? '') }));
    const longest = lengths.reduce((a, b) => (b.ids.length > a.ids.length ? b : a));
    if (longest.ids.length === 0) {
      throw new TemplateError(`template "${template.source}" alone needs ${over + limit} tokens, more than the limit of ${limit}`);
    }
    current[longest.f] = tokenizer.decode(longest.ids.slice(0, Math.max(0, longest.ids.length - over)));
  }
  throw new TemplateError(`could not fit a prompt of template "${template.source}" into ${limit} tokens`);
}
