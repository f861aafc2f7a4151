// SHA256SUMS: one line per file of an export, `<sha256 hex>  <relative path>`, the format
// `sha256sum -c SHA256SUMS` checks (GNU coreutils, also `shasum -a 256 -c` on macOS), so a recipient
// can check a copied export without Lontar. Files are hashed in streaming chunks (a model is GBs).

import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative, sep } from 'node:path';

export const CHECKSUM_FILE = 'SHA256SUMS';
const CHUNK = 4 * 2 ** 20;

export function sha256File(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Every regular file under `dir` except the checksum file, as sorted '/'-separated relative paths. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.filter((f) => f !== CHECKSUM_FILE).sort();
}

/** Hashes every file of `dir`, writes SHA256SUMS, and returns name → hash. */
export function writeChecksums(dir: string): Record<string, string> {
  const sums = Object.fromEntries(listFiles(dir).map((f) => [f, sha256File(join(dir, f))]));
  writeFileSync(join(dir, CHECKSUM_FILE), Object.entries(sums).map(([f, h]) => `${h}  ${f}\n`).join(''));
  return sums;
}

export function parseChecksums(text: string): Record<string, string> {
  const sums: Record<string, string> = {};
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new Error(`${CHECKSUM_FILE} line ${i + 1} is not "<sha256>  <file>"`);
    sums[m[2]!] = m[1]!;
  });
  return sums;
}

export interface ChecksumCheck {
  ok: boolean;
  /** Files whose bytes differ from the recorded hash. */
  changed: string[];
  missing: string[];
  /** Files present but not recorded. */
  unlisted: string[];
  /** SHA256SUMS differs from the checksums recorded in the workspace at export time. */
  manifestChanged: boolean;
}

/**
 * Checks the folder against the checksums recorded at export time (from the workspace, so a folder
 * whose SHA256SUMS was rewritten after tampering is still caught) and against its own SHA256SUMS.
 */
export function checkChecksums(dir: string, recorded: Readonly<Record<string, string>>): ChecksumCheck {
  const present = new Set(listFiles(dir));
  const sumsPath = join(dir, CHECKSUM_FILE);
  let manifestChanged = !existsSync(sumsPath);
  if (!manifestChanged) {
    try {
      const onDisk = parseChecksums(readFileSync(sumsPath, 'utf8'));
      manifestChanged = JSON.stringify(Object.entries(onDisk).sort()) !== JSON.stringify(Object.entries(recorded).sort());
    } catch {
      manifestChanged = true;
    }
  }
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [file, hash] of Object.entries(recorded)) {
    if (!present.has(file) || !statSync(join(dir, file)).isFile()) missing.push(file);
    else if (sha256File(join(dir, file)) !== hash) changed.push(file);
  }
  const unlisted = [...present].filter((f) => !(f in recorded));
  return { ok: changed.length + missing.length + unlisted.length === 0 && !manifestChanged, changed, missing, unlisted, manifestChanged };
}

export function describeChecksumCheck(c: ChecksumCheck): string {
  const parts = [
    ...(c.changed.length ? [`changed since export: ${c.changed.join(', ')}`] : []),
    ...(c.missing.length ? [`missing: ${c.missing.join(', ')}`] : []),
    ...(c.unlisted.length ? [`not part of the export: ${c.unlisted.join(', ')}`] : []),
    ...(c.manifestChanged ? [`${CHECKSUM_FILE} is missing or differs from the checksums recorded at export`] : []),
  ];
  return parts.length ? parts.join('; ') : 'every file matches its checksum';
}
