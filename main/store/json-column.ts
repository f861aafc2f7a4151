// JSON stored in TEXT columns: written with JSON.stringify, read back through a zod schema so a
// hand-edited or corrupted value fails loudly at the boundary instead of deep inside a caller.

import { z } from 'zod';

export const jsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof jsonObject>;

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<S extends z.ZodType>(schema: S, text: string, what: string): z.infer<S> {
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`stored ${what} is malformed: ${parsed.error.message}`);
  return parsed.data;
}
