// Schemas shared by several calls. The contract folder is browser-safe: it imports only zod, so
// the renderer (types), the Electron shell (validation) and the Node hosts can all use it.

import { z } from 'zod';

export const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Requests take no extra keys: a typo in a field name is an error, never silently ignored. */
export const noArguments = z.strictObject({});

/** An absolute path on the machine running Lontar (`~/…` is expanded there). */
export const absolutePath = z
  .string()
  .trim()
  .min(1, 'a path is required')
  .max(4096, 'the path is longer than 4096 characters')
  .refine((p) => /^(\/|~(\/|$)|[A-Za-z]:[\\/]|\\\\)/.test(p), {
    message: 'must be an absolute path, e.g. /home/you/data/reviews.csv or C:\\data\\reviews.csv',
  });

/** An attention head, both indices 0-based. */
export const headRef = z.strictObject({
  layer: z.number().int().nonnegative().max(10_000),
  head: z.number().int().nonnegative().max(10_000),
});
export type HeadRef = z.infer<typeof headRef>;

/** Where a job runs: 'auto' takes the GPU when the CUDA provider is installed, else the CPU. */
export const jobDevice = z.enum(['auto', 'cpu', 'cuda']).default('auto');
export type JobDevice = z.output<typeof jobDevice>;

export const split = z.enum(['train', 'valid', 'test']);
export type SplitName = z.infer<typeof split>;

/** A language code as datasets store it (jav, ind, und, en-US …). */
export const languageCode = z.string().trim().min(1).max(32).regex(/^[A-Za-z0-9_-]+$/, 'must be a language code such as jav or ind');

export const shortText = (max = 200) => z.string().trim().min(1).max(max);

/** Label counts by label name. */
export const labelCounts = z.record(z.string(), z.number().int().nonnegative());

export const timestamp = z.string();
