// Where an export may be written. The path comes from a person (CLI, wizard, a LAN browser), so it is
// checked before anything is read: absolute, no `..` segments, no NUL, its parent folder present,
// never inside (or above) the workspace — whose database and blobs only Lontar may write — and never
// over an existing file or a non-empty folder, except an earlier Lontar export when asked to replace.
// Symbolic links are resolved before the workspace check, so a link cannot smuggle a write inside.

import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CHECKSUM_FILE } from './checksums';

export class DestinationError extends Error {
  override name = 'DestinationError';
}

export interface CheckedDestination {
  /** The absolute folder the export will be at. */
  dir: string;
  /** An earlier export is there and will be replaced once the new one is complete. */
  replaces: boolean;
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
function realish(p: string): string {
  let head = p;
  const tail: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) break;
    tail.unshift(basename(head));
    head = up;
  }
  return join(realpathSync(head), ...tail);
}

const inside = (child: string, parent: string) => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
};

export function checkDestination(raw: string, options: { workspaceDir: string; replace?: boolean }): CheckedDestination {
  if (typeof raw !== 'string' || raw.trim() === '') throw new DestinationError('choose a destination folder');
  if (raw.includes('\0')) throw new DestinationError('the destination contains a NUL character');
  if (!isAbsolute(raw)) throw new DestinationError(`the destination must be an absolute path, got "${raw}"`);
  if (raw.split(/[\\/]+/).includes('..')) throw new DestinationError(`the destination must not contain ".." segments: "${raw}"`);
  const dir = resolve(raw);
  if (dirname(dir) === dir) throw new DestinationError('the destination cannot be the root of a file system');
  const parent = dirname(dir);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new DestinationError(`the folder that would hold the export does not exist: ${parent}`);

  const real = realish(dir);
  const workspace = realish(resolve(options.workspaceDir));
  if (inside(real, workspace)) throw new DestinationError(`${dir} is inside the workspace (${options.workspaceDir}); export to a folder outside it`);
  if (inside(workspace, real)) throw new DestinationError(`${dir} contains the workspace (${options.workspaceDir}); export to a new folder`);

  if (!existsSync(dir)) return { dir, replaces: false };
  if (!statSync(dir).isDirectory()) throw new DestinationError(`${dir} exists and is a file, not a folder`);
  if (readdirSync(dir).length === 0) return { dir, replaces: false };
  if (!options.replace) throw new DestinationError(`${dir} already exists and is not empty; choose a new folder (or replace an earlier export)`);
  if (!existsSync(join(dir, CHECKSUM_FILE))) {
    throw new DestinationError(`${dir} is not an earlier Lontar export (it has no ${CHECKSUM_FILE}); only an export can be replaced`);
  }
  return { dir, replaces: true };
}
