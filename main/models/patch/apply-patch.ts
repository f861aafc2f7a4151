// Applies a head-delta patch to its base folder and writes the full adapted folder. Refuses a base
// whose content hash differs from the one the patch recorded (before anything is written), checks the
// rebuilt tensors against the adapted checkpoint's hash, and writes the folder atomically.

import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSlice } from '../../engine/params/host-slices';
import type { HostTensor } from '../../engine/tensor';
import { Checkpoint } from '../checkpoint/checkpoint';
import { checkpointContentHash, tensorsContentHash } from '../checkpoint/content-hash';
import { SafetensorsFile } from '../checkpoint/safetensors-file';
import { writeSafetensors } from '../checkpoint/safetensors-write';
import { checkOutputFolder, writeFolderAtomically } from '../export/atomic-folder';
import { copyCompanionFiles } from '../export/companion-files';
import { PatchError, parseManifest, wholeKey, type PatchManifest } from './patch-format';

export class PatchBaseMismatchError extends PatchError {
  override name = 'PatchBaseMismatchError';
}

/** Reads and validates a patch file's manifest (without reading its tensors). */
export function readPatchManifest(patchFile: string): PatchManifest {
  const file = SafetensorsFile.open(patchFile);
  try {
    return parseManifest(file.metadata, patchFile);
  } finally {
    file.close();
  }
}

export function applyPatch(baseDir: string, patchFile: string, out: string): { dir: string; manifest: PatchManifest } {
  checkOutputFolder(out); // before hashing a whole base
  const patch = SafetensorsFile.open(patchFile);
  const base = Checkpoint.open(baseDir);
  try {
    const manifest = parseManifest(patch.metadata, patchFile);
    const baseHash = checkpointContentHash(base);
    if (baseHash !== manifest.base.contentHash) {
      throw new PatchBaseMismatchError(
        `${patchFile} was made for a base with content hash ${manifest.base.contentHash.slice(0, 16)}…, ` +
          `but ${baseDir} has ${baseHash.slice(0, 16)}…; apply it to the exact base checkpoint it was created from`,
      );
    }
    const tensors = rebuild(base, patch, manifest, patchFile);
    if (tensorsContentHash(tensors) !== manifest.adapted.valuesHash) {
      throw new PatchError(`${patchFile}: the rebuilt tensors do not match the adapted checkpoint's hash (the patch is damaged)`);
    }
    const dir = writeFolderAtomically(out, (temp) => {
      writeSafetensors(join(temp, 'model.safetensors'), tensors, { format: 'pt' }, { float32As: manifest.adapted.storage });
      copyCompanionFiles(baseDir, temp);
      if (existsSync(join(baseDir, 'config.json'))) copyFileSync(join(baseDir, 'config.json'), join(temp, 'config.json'));
      for (const [name, content] of Object.entries(manifest.files)) writeFileSync(join(temp, name), Buffer.from(content, 'base64'));
    });
    return { dir, manifest };
  } finally {
    patch.close();
    base.close();
  }
}

function rebuild(base: Checkpoint, patch: SafetensorsFile, manifest: PatchManifest, source: string): Map<string, HostTensor> {
  const removed = new Set([...manifest.removed, ...manifest.replaced]);
  const tensors = new Map<string, HostTensor>();
  for (const name of base.names()) if (!removed.has(name)) tensors.set(name, base.read(name));
  for (const e of manifest.entries) {
    const target = tensors.get(e.tensor);
    if (!target) throw new PatchError(`${source}: entry ${e.key} patches "${e.tensor}", which the base does not have`);
    const piece = patch.read(e.key);
    const expected = target.shape.map((d, i) => (i === e.axis ? e.end - e.start : d));
    if (e.end > (target.shape[e.axis] ?? 0) || e.start >= e.end || piece.dtype !== target.dtype || piece.shape.join() !== expected.join()) {
      throw new PatchError(`${source}: entry ${e.key} [${piece.shape.join(', ')}] does not fit "${e.tensor}" [${target.shape.join(', ')}]`);
    }
    writeSlice(target, e.axis, e.start, piece);
  }
  for (const name of manifest.replaced) tensors.set(name, patch.read(wholeKey(name)));
  return tensors;
}

