// `lontar workspace backup`: a self-contained copy of a workspace that is itself a workspace.
// The database goes through SQLite's online backup API (a consistent snapshot even while another
// connection writes; a plain file copy can tear), blobs are copied and fsynced (they are immutable,
// so copying them after the snapshot can only add harmless unrecorded files), and the copy is
// integrity-checked before we call it a backup.

import { copyFileSync, existsSync, fsyncSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { fsyncDir } from './fsync';
import { BLOB_DIR, DB_FILE, type Workspace } from './workspace';

export interface BackupResult {
  destination: string;
  databaseBytes: number;
  blobs: number;
  blobBytes: number;
  milliseconds: number;
}

export async function backupWorkspace(ws: Workspace, destination: string): Promise<BackupResult> {
  const started = Date.now();
  const dest = resolve(destination);
  if (dest === resolve(ws.dir)) throw new Error('a backup cannot overwrite its own workspace');
  if (existsSync(dest) && readdirSync(dest).length > 0) throw new Error(`backup destination ${dest} is not empty`);
  mkdirSync(join(dest, BLOB_DIR), { recursive: true });

  const destDb = join(dest, DB_FILE);
  await ws.db.backup(destDb);
  fsyncFile(destDb);

  let blobs = 0;
  let blobBytes = 0;
  for (const hash of ws.blobs.filesOnDisk()) {
    const dir = join(dest, BLOB_DIR, hash.slice(0, 2));
    mkdirSync(dir, { recursive: true });
    const target = join(dir, hash);
    copyFileSync(ws.blobs.pathOf(hash), target);
    fsyncFile(target);
    blobs++;
    blobBytes += statSync(target).size;
  }
  for (const prefix of readdirSync(join(dest, BLOB_DIR))) fsyncDir(join(dest, BLOB_DIR, prefix));
  fsyncDir(join(dest, BLOB_DIR));
  fsyncDir(dest);

  verifyBackup(destDb);
  return { destination: dest, databaseBytes: statSync(destDb).size, blobs, blobBytes, milliseconds: Date.now() - started };
}

function verifyBackup(file: string): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(`the backup at ${file} failed its integrity check: ${String(result)}`);
  } finally {
    db.close();
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
