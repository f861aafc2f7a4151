// Content-addressed files under blobs/: checkpoints, tensors, exports. A blob's name is the sha256
// of its bytes (blobs/ab/abcdef…), so a name can be checked against its content and the same bytes
// are stored once. Writes go to blobs/tmp/, are fsynced, then renamed into place: a crash leaves at
// most a *.partial file in tmp/, never a half-written blob under a real name. The `blobs` table
// records each blob after its file is durable, so rows never point at missing bytes.

import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { fsyncDir, writeFileAtomic } from './fsync';

export interface BlobRef {
  hash: string;
  size: number;
}

export interface BlobRecord extends BlobRef {
  mediaType: string | null;
  createdAt: string;
}

const HASH = /^[0-9a-f]{64}$/;
const CHUNK = 1 << 20;

export class BlobStore {
  readonly tmpDir: string;

  constructor(
    readonly dir: string,
    private readonly db: Database,
    private readonly readonly = false,
  ) {
    this.tmpDir = join(dir, 'tmp');
  }

  pathOf(hash: string): string {
    if (!HASH.test(hash)) throw new Error(`not a blob hash: ${hash}`);
    return join(this.dir, hash.slice(0, 2), hash);
  }

  has(hash: string): boolean {
    return existsSync(this.pathOf(hash));
  }

  put(data: Uint8Array, mediaType?: string): BlobRef {
    this.assertWritable();
    const hash = createHash('sha256').update(data).digest('hex');
    const ref = { hash, size: data.length };
    if (!this.alreadyStored(ref)) {
      const prefixDir = this.ensurePrefixDir(hash);
      writeFileAtomic(this.tmpName(hash), this.pathOf(hash), data, prefixDir);
    }
    this.record(ref, mediaType);
    return ref;
  }

  /** Copies a (possibly large) file into the store in chunks, hashing as it goes. */
  putFile(source: string, mediaType?: string): BlobRef {
    this.assertWritable();
    mkdirSync(this.tmpDir, { recursive: true });
    const tmp = this.tmpName('file');
    const hasher = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    const src = openSync(source, 'r');
    const dst = openSync(tmp, 'wx');
    let size = 0;
    try {
      for (let n = readSync(src, buf, 0, CHUNK, null); n > 0; n = readSync(src, buf, 0, CHUNK, null)) {
        hasher.update(buf.subarray(0, n));
        for (let off = 0; off < n; ) off += writeSync(dst, buf, off, n - off);
        size += n;
      }
      fsyncSync(dst);
    } finally {
      closeSync(src);
      closeSync(dst);
    }
    return this.publish(tmp, { hash: hasher.digest('hex'), size }, mediaType);
  }

  /**
   * Moves a complete file that was written under tmp/ (by this process or by a job process working
   * for it) into the store under its hash. No copy: a multi-gigabyte checkpoint costs one rename.
   */
  adoptFile(path: string, mediaType?: string): BlobRef {
    this.assertWritable();
    if (resolve(dirname(path)) !== resolve(this.tmpDir)) throw new Error(`only files in ${this.tmpDir} can be adopted, not ${path}`);
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd); // the writer should have; a rename must never publish unsynced bytes
    } finally {
      closeSync(fd);
    }
    return this.publish(path, { hash: hashFile(path), size: statSync(path).size }, mediaType);
  }

  /** Renames a complete, fsynced file in tmp/ to its hash name (or drops it if stored), then records it. */
  private publish(tmp: string, ref: BlobRef, mediaType: string | undefined): BlobRef {
    if (this.alreadyStored(ref)) {
      rmSync(tmp);
    } else {
      const prefixDir = this.ensurePrefixDir(ref.hash);
      renameSync(tmp, this.pathOf(ref.hash));
      fsyncDir(prefixDir);
    }
    this.record(ref, mediaType);
    return ref;
  }

  read(hash: string): Buffer {
    return readFileSync(this.pathOf(hash));
  }

  /** Re-hashes a stored blob: 'ok', 'missing', or 'corrupt' (bytes no longer match the name). */
  verify(hash: string): 'ok' | 'missing' | 'corrupt' {
    const path = this.pathOf(hash);
    if (!existsSync(path)) return 'missing';
    return hashFile(path) === hash ? 'ok' : 'corrupt';
  }

  /** Hashes of the blob files on disk (whatever the table says). */
  filesOnDisk(): string[] {
    if (!existsSync(this.dir)) return [];
    const out: string[] = [];
    for (const prefix of readdirSync(this.dir).sort()) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of readdirSync(join(this.dir, prefix)).sort()) if (HASH.test(name) && name.startsWith(prefix)) out.push(name);
    }
    return out;
  }

  /** Partial writes a crash left in tmp/. */
  partials(): string[] {
    return existsSync(this.tmpDir) ? readdirSync(this.tmpDir).sort() : [];
  }

  /** Removes partial writes; only safe while holding the writer lock (no write can be in flight). */
  clearPartials(): number {
    this.assertWritable();
    const names = this.partials();
    for (const name of names) rmSync(join(this.tmpDir, name), { force: true });
    return names.length;
  }

  records(): BlobRecord[] {
    return this.db
      .prepare('SELECT hash, size, media_type AS mediaType, created_at AS createdAt FROM blobs ORDER BY hash')
      .all() as BlobRecord[];
  }

  private assertWritable(): void {
    if (this.readonly) throw new Error('this workspace is open read-only; blobs cannot be added');
  }

  private alreadyStored(ref: BlobRef): boolean {
    const path = this.pathOf(ref.hash);
    return existsSync(path) && statSync(path).size === ref.size;
  }

  private record(ref: BlobRef, mediaType: string | undefined): void {
    this.db
      .prepare('INSERT INTO blobs (hash, size, media_type) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING')
      .run(ref.hash, ref.size, mediaType ?? null);
  }

  private ensurePrefixDir(hash: string): string {
    const prefixDir = join(this.dir, hash.slice(0, 2));
    if (!existsSync(prefixDir)) {
      mkdirSync(prefixDir, { recursive: true });
      fsyncDir(this.dir);
    }
    mkdirSync(this.tmpDir, { recursive: true });
    return prefixDir;
  }

  private tmpName(label: string): string {
    return join(this.tmpDir, `${label.slice(0, 16)}.${process.pid}.${randomBytes(6).toString('hex')}.partial`);
  }
}

/** sha256 of a file, read in chunks. */
function hashFile(path: string): string {
  const hasher = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buf, 0, CHUNK, null); n > 0; n = readSync(fd, buf, 0, CHUNK, null)) hasher.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hasher.digest('hex');
}
