// `lontar workspace init|check|backup|gc [DIR]`. DIR defaults to $LONTAR_WORKSPACE, else the per-user
// data folder (see docs/workspace.md). check and backup open the workspace read-only, so they work
// while the desktop app or a job has it open; gc needs it to itself (the writer lock).
// Exit codes: 0 fine, 1 the check found problems, 2 usage, 3 workspace unavailable.

import type { Command } from 'commander';
import {
  backupWorkspace,
  checkWorkspace,
  collectGarbage,
  formatIntegrityReport,
  resolveWorkspaceDir,
  Workspace,
  WorkspaceError,
  type BlobCheckDepth,
} from '../../store/index';
import { CliError, emit } from '../output';

export const WORKSPACE_HELP = 'workspace folder (default: $LONTAR_WORKSPACE, else the per-user data folder)';

/** Resolves a workspace folder from an argument or option, following the documented default. */
export function workspaceDir(explicit: string | undefined): string {
  return resolveWorkspaceDir(explicit).dir;
}

/** Runs `fn`, turning workspace errors (in use, newer schema, not a workspace) into exit code 3. */
export async function withWorkspaceErrors<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof WorkspaceError) throw new CliError(e.message, 3);
    throw e;
  }
}

export function registerWorkspace(program: Command): void {
  const group = program.command('workspace').description('the workspace folder: lontar.db and blobs/');

  group
    .command('init')
    .description('create a workspace (an empty or new folder), or confirm an existing one')
    .argument('[dir]', WORKSPACE_HELP)
    .option('--json', 'machine-readable output')
    .action((dir: string | undefined, opts: { json?: boolean }) =>
      withWorkspaceErrors(() => {
        const path = workspaceDir(dir);
        const ws = Workspace.open(path, { create: true });
        const info = { workspace: ws.dir, schemaVersion: ws.schemaVersion, migrated: ws.migration };
        ws.close();
        const m = info.migrated;
        const what = !m || m.from === m.to ? 'is up to date' : m.from === 0 ? 'created' : `migrated from schema ${m.from}`;
        emit(Boolean(opts.json), info, () => `workspace ${info.workspace} ${what} (schema version ${info.schemaVersion})`);
      }),
    );

  group
    .command('check')
    .description('integrity check: SQLite integrity_check, foreign keys, every blob re-hashed')
    .argument('[dir]', WORKSPACE_HELP)
    .option('--quick', 'check blob sizes instead of re-hashing every blob')
    .option('--json', 'machine-readable output')
    .action((dir: string | undefined, opts: { quick?: boolean; json?: boolean }) =>
      withWorkspaceErrors(() => {
        const path = workspaceDir(dir);
        const ws = Workspace.open(path, { readonly: true });
        const depth: BlobCheckDepth = opts.quick ? 'size' : 'hash';
        const report = (() => {
          try {
            return checkWorkspace(ws, depth);
          } finally {
            ws.close();
          }
        })();
        emit(Boolean(opts.json), { workspace: ws.dir, ...report }, () => formatIntegrityReport(ws.dir, report));
        if (!report.ok) throw new CliError('the workspace check found problems (see above)', 1);
      }),
    );

  group
    .command('gc')
    .description('free disk: delete blobs nothing references (superseded job checkpoints, finished jobs\' checkpoints, crash leftovers)')
    .argument('[dir]', WORKSPACE_HELP)
    .option('--dry-run', 'only say what would be deleted')
    .option('--json', 'machine-readable output')
    .action((dir: string | undefined, opts: { dryRun?: boolean; json?: boolean }) =>
      withWorkspaceErrors(() => {
        const ws = Workspace.open(workspaceDir(dir));
        try {
          const r = collectGarbage(ws, { dryRun: Boolean(opts.dryRun) });
          const count = r.unreferenced.length + r.unrecorded.length;
          emit(Boolean(opts.json), { workspace: ws.dir, ...r }, () =>
            `${r.dryRun ? 'would delete' : 'deleted'} ${count} blob(s), ${(r.bytes / 2 ** 20).toFixed(1)} MiB` +
            ` (${r.unreferenced.length} unreferenced, ${r.unrecorded.length} without a record; ${r.finishedCheckpoints} finished job(s) released their checkpoint)`,
          );
        } finally {
          ws.close();
        }
      }),
    );

  group
    .command('backup')
    .description('online backup to a new folder (a complete, checked workspace copy)')
    .argument('[dir]', WORKSPACE_HELP)
    .option('--to <dest>', 'destination folder (default: <dir>-backup-<timestamp> next to the workspace)')
    .option('--json', 'machine-readable output')
    .action((dir: string | undefined, opts: { to?: string; json?: boolean }) =>
      withWorkspaceErrors(async () => {
        const path = workspaceDir(dir);
        const dest = opts.to ?? `${path}-backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        const ws = Workspace.open(path, { readonly: true });
        try {
          const result = await backupWorkspace(ws, dest);
          emit(Boolean(opts.json), result, () =>
            `backed up ${ws.dir} to ${result.destination}: database ${result.databaseBytes} bytes, ${result.blobs} blob(s) ` +
            `(${result.blobBytes} bytes), checked, in ${result.milliseconds} ms`,
          );
        } finally {
          ws.close();
        }
      }),
    );
}
