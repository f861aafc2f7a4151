// Reading source files: bytes, their sha256 (provenance, and recognising a re-import), and the
// decoded text or the reason it cannot be decoded.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceFile } from '../store/index';
import { decodeUtf8 } from './decode';
import type { IssueList } from './issues';

export interface LoadedFile {
  record: SourceFile;
  /** undefined when the file could not be read or decoded (the reason is in the issues). */
  text: string | undefined;
}

/** Larger sources are refused: they are read whole, and no labelled corpus of this kind comes near. */
export const MAX_SOURCE_BYTES = 1 << 30;

/** Reads `root/relative` (or `root` itself when relative is the file name of a single-file import). */
export function loadFile(absolute: string, name: string, issues: IssueList): LoadedFile {
  let bytes: Buffer;
  try {
    // a device, pipe or socket (/dev/zero, a FIFO) would never end or never answer: refuse it unread
    const info = statSync(absolute);
    if (!info.isFile()) throw new Error('not a regular file (a folder, device, pipe or socket)');
    if (info.size > MAX_SOURCE_BYTES) throw new Error(`${info.size} bytes, more than the ${MAX_SOURCE_BYTES / 2 ** 30} GiB a source file may have`);
    bytes = readFileSync(absolute);
  } catch (e) {
    issues.add('file-unreadable', `cannot read the file: ${(e as Error).message}`, { file: name });
    return { record: { path: name, sha256: '', bytes: 0 }, text: undefined };
  }
  const record = { path: name, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  if (bytes.length === 0) {
    issues.add('file-empty', 'the file is empty', { file: name });
    return { record, text: undefined };
  }
  return { record, text: decodeUtf8(bytes, name, issues) };
}

/** One hash for a whole source: over the sorted (path, sha256) pairs. */
export function combinedHash(files: readonly SourceFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) h.update(`${f.path}\0${f.sha256}\n`);
  return h.digest('hex');
}

/** The licence named by a LICENSE file's first line, for the known Creative Commons texts. */
export function licenceOfFolder(dir: string): string | null {
  for (const name of ['LICENSE', 'LICENSE.txt', 'LICENSE.md']) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const first = readFileSync(path, 'utf8').split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
    const known: [RegExp, string][] = [
      [/Attribution-NonCommercial-ShareAlike 4\.0/i, 'CC BY-NC-SA 4.0'],
      [/Attribution-NonCommercial 4\.0/i, 'CC BY-NC 4.0'],
      [/Attribution-ShareAlike 4\.0/i, 'CC BY-SA 4.0'],
      [/Attribution 4\.0/i, 'CC BY 4.0'],
    ];
    return known.find(([re]) => re.test(first))?.[1] ?? (first.slice(0, 120) || null);
  }
  return null;
}
