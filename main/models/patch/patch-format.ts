// The head-delta patch file: a safetensors file whose tensors are the changed slices of an adapted
// checkpoint (named `<tensor>@<axis>:<start>-<end>`, or `<tensor>@whole` for a tensor that is new or
// changed shape), with a JSON manifest in the header metadata under "lontar.patch":
//   base.contentHash      the base checkpoint's content hash; apply refuses any other base
//   adapted.valuesHash    content hash of the adapted tensors (as float32/read values), checked after apply
//   adapted.storage       the float storage the adapted checkpoint used (F32, BF16, F16), written back
//   entries               { key, tensor, axis, start, end } per slice
//   replaced / removed    tensors stored whole / dropped
//   files                 companion files (config.json, README.md, tokenizer files) that differ, base64

import { z } from 'zod';

export const PATCH_METADATA_KEY = 'lontar.patch';
export const PATCH_FORMAT = 'lontar-head-delta';

const hash = z.string().regex(/^[0-9a-f]{64}$/);
const index = z.number().int().nonnegative();

export const patchManifestSchema = z.object({
  format: z.literal(PATCH_FORMAT),
  version: z.literal(1),
  base: z.object({ contentHash: hash, tensors: index }),
  adapted: z.object({ valuesHash: hash, storage: z.enum(['F32', 'BF16', 'F16']), tensors: index }),
  entries: z.array(z.object({ key: z.string(), tensor: z.string(), axis: index, start: index, end: index })),
  replaced: z.array(z.string()),
  removed: z.array(z.string()),
  files: z.record(z.string(), z.string()),
  stats: z.object({ changedElements: index, totalElements: index }),
});

export type PatchManifest = z.infer<typeof patchManifestSchema>;

export const sliceKey = (tensor: string, axis: number, start: number, end: number) => `${tensor}@${axis}:${start}-${end}`;
export const wholeKey = (tensor: string) => `${tensor}@whole`;

export class PatchError extends Error {
  override name = 'PatchError';
}

export function parseManifest(metadata: Readonly<Record<string, string>>, source: string): PatchManifest {
  const text = metadata[PATCH_METADATA_KEY];
  if (text === undefined) throw new PatchError(`${source}: not a Lontar patch (its header has no "${PATCH_METADATA_KEY}" manifest)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PatchError(`${source}: patch manifest is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = patchManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PatchError(`${source}: patch manifest ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
