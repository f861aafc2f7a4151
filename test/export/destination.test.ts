// Export destinations come from people (CLI, wizard, a LAN browser): relative paths, `..` segments,
// NUL bytes, the workspace or anything inside it (also through a symbolic link), a folder above the
// workspace, a missing parent, an existing file or a non-empty folder are refused before anything is
// written; an earlier export may be replaced only when asked.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkDestination } from '../../main/exports/destination';

const root = mkdtempSync(join(tmpdir(), 'lontar-dest-'));
after(() => rmSync(root, { recursive: true, force: true }));
const workspaceDir = join(root, 'ws');
mkdirSync(join(workspaceDir, 'blobs'), { recursive: true });
const check = (path: string, replace = false) => checkDestination(path, { workspaceDir, replace });

test('a new folder, or an empty one, outside the workspace is accepted', () => {
  assert.deepEqual(check(join(root, 'out')), { dir: join(root, 'out'), replaces: false });
  mkdirSync(join(root, 'empty'));
  assert.deepEqual(check(join(root, 'empty')), { dir: join(root, 'empty'), replaces: false });
});

test('relative paths, .. segments, NUL bytes and missing parents are refused', () => {
  assert.throws(() => check('exports/run3'), /must be an absolute path/);
  assert.throws(() => check(''), /choose a destination folder/);
  assert.throws(() => check(`${root}/out/../ws/blobs/x`), /must not contain "\.\." segments/);
  assert.throws(() => check(`${root}\\..\\ws`), /must not contain "\.\." segments/);
  assert.throws(() => check(`${root}/out\0.txt`), /NUL/);
  assert.throws(() => check(join(root, 'no', 'such', 'parent', 'out')), /the folder that would hold the export does not exist/);
  assert.throws(() => check('/'), /root of a file system/);
});

test('the workspace, its insides (also through a symbolic link) and folders above it are refused', () => {
  assert.throws(() => check(workspaceDir), /inside the workspace/);
  assert.throws(() => check(join(workspaceDir, 'blobs', 'x')), /inside the workspace/);
  symlinkSync(workspaceDir, join(root, 'link-to-ws'));
  assert.throws(() => check(join(root, 'link-to-ws', 'export')), /inside the workspace/);
  assert.throws(() => check(root), /contains the workspace/);
});

test('a file or a non-empty folder is refused; replacing needs an earlier export and the request', () => {
  writeFileSync(join(root, 'a-file'), 'x');
  assert.throws(() => check(join(root, 'a-file')), /exists and is a file/);
  mkdirSync(join(root, 'mine'));
  writeFileSync(join(root, 'mine', 'thesis.tex'), 'keep');
  assert.throws(() => check(join(root, 'mine')), /already exists and is not empty/);
  assert.throws(() => check(join(root, 'mine'), true), /is not an earlier Lontar export/);
  mkdirSync(join(root, 'old-export'));
  writeFileSync(join(root, 'old-export', 'SHA256SUMS'), '');
  assert.throws(() => check(join(root, 'old-export')), /already exists and is not empty/);
  assert.deepEqual(check(join(root, 'old-export'), true), { dir: join(root, 'old-export'), replaces: true });
});
