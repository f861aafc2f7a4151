// Output folders that appear whole or not at all: everything is written into a hidden temporary
// folder next to the target, flushed to disk, and only then renamed into place. A failure (or a
// crash) leaves no half-written model folder behind, only possibly a stale hidden temp folder.

import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncPath } from '../checkpoint/atomic-file';

export class OutputFolderError extends Error {
  override name = 'OutputFolderError';
}

/** Refuses an existing file or non-empty folder at `out` (nothing is ever overwritten). */
export function checkOutputFolder(out: string): void {
  const target = resolve(out);
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) throw new OutputFolderError(`${target} exists and is a file, not a folder`);
  if (readdirSync(target).length > 0) throw new OutputFolderError(`${target} already exists and is not empty; choose a new folder`);
}

/** Runs `fill(tempDir)`, then moves the finished folder to `out`; returns the absolute path. */
export function writeFolderAtomically(out: string, fill: (dir: string) => void): string {
  const target = resolve(out);
  checkOutputFolder(target);
  mkdirSync(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  mkdirSync(temp);
  try {
    fill(temp);
    for (const name of readdirSync(temp)) fsyncPath(join(temp, name));
    if (existsSync(target)) rmdirSync(target); // empty (checked above)
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  fsyncPath(dirname(target));
  return target;
}

