// Opens lontar.db with the settings the whole store relies on. WAL lets readers (a second process
// running `workspace check`, the UI) work while one writer writes. WAL's default synchronous=NORMAL
// survives application crashes; the writes that must also survive power loss go through
// `durableTransaction`, which raises it to FULL for that commit.

import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';

/** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/** Opens a connection without changing the file (so a foreign or newer file can be refused first). */
export function openDatabase(file: string, options: { readonly: boolean; create: boolean }): Db {
  const db = new Database(file, { readonly: options.readonly, fileMustExist: !options.create });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Switches a writable connection to WAL (persistent in the file) at normal sync level. */
export function enableWal(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
}

/**
 * Runs `fn` in a transaction whose commit is fsynced (synchronous=FULL), for run boundaries:
 * a run or job finishing, a checkpoint registered, an import, an annotation batch. The pragma cannot
 * change inside a transaction, so nested calls simply join the outer transaction.
 */
export function durableTransaction<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) return fn();
  db.pragma('synchronous = FULL');
  try {
    return db.transaction(fn)();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}
