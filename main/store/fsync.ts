// Durable file writes: data fsynced before it gets its final name, and the directory fsynced after
// the rename so the new name itself survives a power cut.

import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

/** fsyncs a directory entry list. Windows cannot open directories for this; NTFS journals renames. */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `tmp`, fsyncs it and renames it to `target` (atomic on one filesystem). */
export function writeFileAtomic(tmp: string, target: string, data: Uint8Array, targetDir: string): void {
  const fd = openSync(tmp, 'wx');
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, target);
  fsyncDir(targetDir);
}
