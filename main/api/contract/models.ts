// Model calls: what a model folder holds (its card) before importing it, importing it, and the
// models of the workspace (the bundled demo model among them from the first start).

import { z } from 'zod';
import { absolutePath, id, noArguments, shortText, timestamp } from './common';

export const modelCard = z.object({
  dir: z.string(),
  family: z.string(),
  kind: z.enum(['decoder', 'encoder']),
  architectures: z.array(z.string()),
  layers: z.number().int(),
  heads: z.number().int(),
  kvHeads: z.number().int(),
  headDim: z.number().int(),
  hidden: z.number().int(),
  intermediate: z.number().int(),
  vocab: z.number().int(),
  maxPositions: z.number().int(),
  parameters: z.number(),
  tiedEmbeddings: z.boolean(),
  dtype: z.object({ config: z.string().nullable(), stored: z.record(z.string(), z.number()) }),
  files: z.object({ count: z.number().int(), bytes: z.number() }),
  classifierLabels: z.array(z.string()).nullable(),
  tokenizer: z.union([
    z.object({ model: z.string(), vocab: z.number().int(), paddingSide: z.string(), padTokenId: z.number().int() }),
    z.object({ error: z.string() }),
  ]),
});
export type ModelCard = z.infer<typeof modelCard>;

export const modelSummary = z.object({
  id,
  name: z.string(),
  family: z.string(),
  sourcePath: z.string(),
  contentHash: z.string(),
  createdAt: timestamp,
  /** Ships with Lontar (resources/models). */
  bundled: z.boolean(),
  /** null when the folder can no longer be read; `problem` says why. */
  card: modelCard.nullable(),
  problem: z.string().nullable(),
});
export type ModelSummary = z.infer<typeof modelSummary>;

export const modelCalls = {
  'models.list': { request: noArguments, response: z.object({ models: z.array(modelSummary) }) },
  'models.inspect': { request: z.strictObject({ path: absolutePath }), response: z.object({ card: modelCard }) },
  'models.import': {
    request: z.strictObject({ path: absolutePath, name: shortText(100).optional() }),
    /** `alreadyImported`: the same weights (content hash) were registered before; that model is returned. */
    response: z.object({ model: modelSummary, alreadyImported: z.boolean() }),
  },
} as const;
