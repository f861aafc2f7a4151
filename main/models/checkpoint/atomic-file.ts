// Files that appear whole or not at all: bytes go to a temporary name in the target's folder, are
// flushed to disk, and only then renamed over the target. A crash or an error leaves at most the
// old file, never a half-written one (the temp file is removed on error).

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Writes all of `bytes` at the current position, looping over short writes. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Runs `write(fd)` against a temp file, then fsyncs and renames it to `path`. */
export function writeFileAtomically(path: string, write: (fd: number) => void): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o644);
  let closed = false;
  try {
    write(fd);
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    renameSync(temp, path);
  } catch (error) {
    if (!closed) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncPath(dirname(path));
}

/**
 * Flushes a file, or a folder (making renames in it durable); best effort, since some platforms
 * (Windows) cannot open folders.
 */
export function fsyncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
