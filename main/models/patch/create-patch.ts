// Builds a head-delta patch from a base folder and an adapted folder: every tensor is read once from
// each side (two at a time in memory), the changed slices are kept, and the patch is one small
// safetensors file with a manifest. A CT-SFT model differs from its base only in the circuit heads'
// Q/K/V/O rows/columns and the norms, so the patch is a few MB instead of the whole model.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../../engine/tensor';
import { Checkpoint } from '../checkpoint/checkpoint';
import { checkpointContentHash, ContentHasher, sortedNames } from '../checkpoint/content-hash';
import { writeSafetensors } from '../checkpoint/safetensors-write';
import { COMPANION_FILES } from '../export/companion-files';
import { sliceHost } from '../../engine/params/host-slices';
import { PATCH_FORMAT, PATCH_METADATA_KEY, sliceKey, wholeKey, type PatchManifest } from './patch-format';
import { changedSlices, sameBytes } from './tensor-diff';

export const PATCHED_FILES = ['config.json', 'README.md', ...COMPANION_FILES] as const;

export interface PatchSummary {
  file: string;
  bytes: number;
  manifest: PatchManifest;
}

export function createPatch(baseDir: string, adaptedDir: string, out: string, onProgress?: (done: number, total: number) => void): PatchSummary {
  const base = Checkpoint.open(baseDir);
  const adapted = Checkpoint.open(adaptedDir);
  try {
    const baseHash = checkpointContentHash(base);
    const pieces = new Map<string, HostTensor>();
    const manifest: PatchManifest = {
      format: PATCH_FORMAT,
      version: 1,
      base: { contentHash: baseHash, tensors: base.names().length },
      adapted: { valuesHash: '', storage: floatStorage(adapted), tensors: adapted.names().length },
      entries: [],
      replaced: [],
      removed: base.names().filter((n) => !adapted.has(n)),
      files: changedFiles(baseDir, adaptedDir),
      stats: { changedElements: 0, totalElements: 0 },
    };
    const hasher = new ContentHasher();
    const names = sortedNames(adapted.names());
    names.forEach((name, i) => {
      const next = adapted.read(name);
      hasher.add(name, next);
      manifest.stats.totalElements += next.data.length;
      const old = base.has(name) ? base.read(name) : undefined;
      const sameLayout = old !== undefined && old.dtype === next.dtype && old.shape.join() === next.shape.join();
      if (sameLayout && next.shape.length > 0) {
        for (const s of changedSlices(old, next)) {
          const key = sliceKey(name, s.axis, s.start, s.end);
          const piece = ownCopy(sliceHost(next, s.axis, s));
          pieces.set(key, piece);
          manifest.entries.push({ key, tensor: name, ...s });
          manifest.stats.changedElements += piece.data.length;
        }
      } else if (!(sameLayout && sameBytes(old, next))) {
        manifest.replaced.push(name);
        pieces.set(wholeKey(name), next);
        manifest.stats.changedElements += next.data.length;
      }
      onProgress?.(i + 1, names.length);
    });
    manifest.adapted.valuesHash = hasher.digest();
    const bytes = writeSafetensors(out, pieces, { [PATCH_METADATA_KEY]: JSON.stringify(manifest), format: 'pt' }, { float32As: manifest.adapted.storage });
    return { file: out, bytes, manifest };
  } finally {
    base.close();
    adapted.close();
  }
}

/** A slice that does not keep its whole source tensor alive (sliceHost views contiguous slices). */
function ownCopy(piece: HostTensor): HostTensor {
  return { ...piece, data: piece.data.slice() } as HostTensor;
}

/** The float storage of a checkpoint's float32-read tensors when uniform, else F32 (exact either way). */
function floatStorage(checkpoint: Checkpoint): 'F32' | 'BF16' | 'F16' {
  const kinds = new Set(checkpoint.names().map((n) => checkpoint.entry(n).dtype).filter((d) => d === 'F32' || d === 'BF16' || d === 'F16'));
  return kinds.size === 1 ? ([...kinds][0] as 'F32' | 'BF16' | 'F16') : 'F32';
}

/** Companion files the adapted folder has that the base lacks or holds differently, base64. */
function changedFiles(baseDir: string, adaptedDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PATCHED_FILES) {
    const path = join(adaptedDir, name);
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    const basePath = join(baseDir, name);
    if (existsSync(basePath) && readFileSync(basePath).equals(bytes)) continue;
    out[name] = bytes.toString('base64');
  }
  return out;
}
