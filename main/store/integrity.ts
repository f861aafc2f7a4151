// `lontar workspace check`: SQLite's own integrity_check, foreign-key consistency, and every blob
// re-hashed against its name. Read-only: it works on a workspace another process has open.

import { existsSync, statSync } from 'node:fs';
import type { Workspace } from './workspace';

export type BlobCheckDepth = 'hash' | 'size' | 'none';

export interface ForeignKeyProblem {
  table: string;
  rowid: number | null;
  parent: string;
}

export interface IntegrityReport {
  ok: boolean;
  schemaVersion: number;
  /** integrity_check's messages; ['ok'] when the file is sound. */
  sqlite: string[];
  foreignKeys: ForeignKeyProblem[];
  blobs: {
    depth: BlobCheckDepth;
    recorded: number;
    missing: string[];
    corrupt: string[];
    /** Files with no row: harmless (a crash between writing a blob and recording it). */
    unrecorded: string[];
    /** Leftover *.partial files from interrupted writes (cleared at the next writable open). */
    partials: string[];
  };
}

export function checkWorkspace(ws: Workspace, depth: BlobCheckDepth = 'hash'): IntegrityReport {
  const sqlite = (ws.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  const foreignKeys = (ws.db.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[]).map((r) => ({
    table: r.table,
    rowid: r.rowid,
    parent: r.parent,
  }));
  const records = ws.blobs.records();
  const missing: string[] = [];
  const corrupt: string[] = [];
  if (depth !== 'none') {
    for (const b of records) {
      const path = ws.blobs.pathOf(b.hash);
      if (!existsSync(path)) missing.push(b.hash);
      else if (statSync(path).size !== b.size) corrupt.push(b.hash);
      else if (depth === 'hash' && ws.blobs.verify(b.hash) !== 'ok') corrupt.push(b.hash);
    }
  }
  const recorded = new Set(records.map((b) => b.hash));
  const unrecorded = ws.blobs.filesOnDisk().filter((h) => !recorded.has(h));
  const sqliteOk = sqlite.length === 1 && sqlite[0] === 'ok';
  return {
    ok: sqliteOk && foreignKeys.length === 0 && missing.length === 0 && corrupt.length === 0,
    schemaVersion: ws.schemaVersion,
    sqlite,
    foreignKeys,
    blobs: { depth, recorded: records.length, missing, corrupt, unrecorded, partials: ws.blobs.partials() },
  };
}

export function formatIntegrityReport(dir: string, r: IntegrityReport): string {
  const lines = [`workspace ${dir}: ${r.ok ? 'OK' : 'PROBLEMS FOUND'} (schema version ${r.schemaVersion})`];
  lines.push(`  database:     ${r.sqlite.length === 1 && r.sqlite[0] === 'ok' ? 'ok' : r.sqlite.join('; ')}`);
  lines.push(`  foreign keys: ${r.foreignKeys.length === 0 ? 'ok' : r.foreignKeys.map((f) => `${f.table} row ${f.rowid} → ${f.parent}`).join('; ')}`);
  const b = r.blobs;
  const checked = b.depth === 'none' ? 'not checked' : b.depth === 'size' ? 'sizes checked' : 'hashes checked';
  lines.push(`  blobs:        ${b.recorded} recorded, ${checked}`);
  for (const h of b.missing) lines.push(`    missing: ${h}`);
  for (const h of b.corrupt) lines.push(`    corrupt: ${h} (content no longer matches its hash)`);
  if (b.unrecorded.length) lines.push(`    ${b.unrecorded.length} file(s) not recorded in the database (harmless)`);
  if (b.partials.length) lines.push(`    ${b.partials.length} partial write(s) in blobs/tmp (cleared at next writable open)`);
  return lines.join('\n');
}
