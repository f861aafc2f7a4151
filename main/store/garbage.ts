// `lontar workspace gc`: frees the disk that blobs nothing needs any more. A job keeps only its
// newest checkpoint referenced, so every older one (for full fine-tuning of a 0.5B model, about 6 GB
// each) is garbage; so is the last checkpoint of a job that finished (its result is the run's output
// blob; the job ledger frees it at once, this catches older workspaces), and any file a crash left
// without a row.
//
// What counts as referenced is read from the schema itself: every column with a foreign key to
// blobs(hash), in every table, so a table a later migration adds is honoured without editing this.
// Safety: it runs on a writable workspace only, and the writer lock means no owner is running jobs
// (a job's fresh blob is adopted by the owner before its row points at it: that window cannot be open).
// `releaseUnreferenced` is the same rule for a few named blobs, used by the owner while jobs run: a
// checkpoint superseded by a newer one is freed at once, so a long run keeps one on disk, not dozens.

import { rmSync, statSync } from 'node:fs';
import type { Workspace } from './workspace';

export interface GarbageReport {
  /** Blob rows no row references (deleted unless a dry run). */
  unreferenced: string[];
  /** Checkpoints of finished jobs, released from their jobs before collection. */
  finishedCheckpoints: number;
  /** Files in blobs/ with no row. */
  unrecorded: string[];
  bytes: number;
  dryRun: boolean;
}

/** Every (table, column) that references blobs(hash). */
export function blobReferences(ws: Workspace): { table: string; column: string }[] {
  const tables = ws.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
  return tables.flatMap(({ name }) =>
    (ws.db.pragma(`foreign_key_list("${name.replaceAll('"', '""')}")`) as { table: string; from: string }[])
      .filter((fk) => fk.table === 'blobs')
      .map((fk) => ({ table: name, column: fk.from })),
  );
}

// A finished job's checkpoint cannot be resumed from any more: it does not keep its blob alive.
const STILL_NEEDED: Record<string, string> = { 'jobs.checkpoint_blob': "status <> 'done'" };
const FINISHED_WITH_CHECKPOINT = "status = 'done' AND checkpoint_blob IS NOT NULL";

/** Per referencing column: its quoted name, its quoted table, and when its reference keeps a blob alive. */
function referencingColumns(ws: Workspace): { column: string; table: string; needed: string }[] {
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  return blobReferences(ws).map(({ table, column }) => ({ column: quote(column), table: quote(table), needed: STILL_NEEDED[`${table}.${column}`] ?? '1' }));
}

function referencedHashes(ws: Workspace): Set<string> {
  const used = new Set<string>();
  for (const { column, table, needed } of referencingColumns(ws)) {
    const sql = `SELECT DISTINCT ${column} AS hash FROM ${table} WHERE ${column} IS NOT NULL AND (${needed})`;
    for (const r of ws.db.prepare(sql).all() as { hash: string }[]) used.add(r.hash);
  }
  return used;
}

function isReferenced(ws: Workspace, hash: string): boolean {
  return referencingColumns(ws).some(({ column, table, needed }) => ws.db.prepare(`SELECT 1 FROM ${table} WHERE ${column} = ? AND (${needed}) LIMIT 1`).get(hash) !== undefined);
}

function findGarbage(ws: Workspace): { unreferenced: string[]; unrecorded: string[] } {
  const used = referencedHashes(ws);
  const recorded = ws.blobs.records();
  const known = new Set(recorded.map((b) => b.hash));
  return {
    unreferenced: recorded.filter((b) => !used.has(b.hash)).map((b) => b.hash),
    unrecorded: ws.blobs.filesOnDisk().filter((h) => !known.has(h)),
  };
}

const fileSize = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

export function collectGarbage(ws: Workspace, options: { dryRun?: boolean } = {}): GarbageReport {
  if (ws.readonly) throw new Error('garbage collection needs the workspace open for writing (no other Lontar may have it open)');
  const dryRun = Boolean(options.dryRun);
  const finishedCheckpoints = (ws.db.prepare(`SELECT count(*) AS n FROM jobs WHERE ${FINISHED_WITH_CHECKPOINT}`).get() as { n: number }).n;
  // rows first, in one durable transaction; files after (a crash in between leaves only unrecorded
  // files, which the next collection removes)
  const found = dryRun
    ? findGarbage(ws)
    : ws.durably(() => {
        ws.db.prepare(`UPDATE jobs SET checkpoint_blob = NULL, checkpoint_step = NULL WHERE ${FINISHED_WITH_CHECKPOINT}`).run();
        const garbage = findGarbage(ws);
        const drop = ws.db.prepare('DELETE FROM blobs WHERE hash = ?');
        for (const hash of garbage.unreferenced) drop.run(hash);
        return garbage;
      });

  let bytes = 0;
  for (const hash of [...found.unreferenced, ...found.unrecorded]) {
    const path = ws.blobs.pathOf(hash);
    bytes += fileSize(path);
    if (!dryRun) rmSync(path, { force: true });
  }
  return { ...found, finishedCheckpoints, bytes, dryRun };
}

/**
 * Deletes those of `hashes` that nothing references any more (rows in one durable transaction, then
 * files); returns the bytes freed. Safe while jobs run: only the owner adopts blobs, on this thread.
 */
export function releaseUnreferenced(ws: Workspace, hashes: readonly string[]): number {
  const released = ws.durably(() => {
    const drop = ws.db.prepare('DELETE FROM blobs WHERE hash = ?');
    return [...new Set(hashes)].filter((hash) => !isReferenced(ws, hash) && drop.run(hash).changes > 0);
  });
  let bytes = 0;
  for (const hash of released) {
    const path = ws.blobs.pathOf(hash);
    bytes += fileSize(path);
    rmSync(path, { force: true });
  }
  return bytes;
}
