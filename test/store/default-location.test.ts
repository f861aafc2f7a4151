// Where the workspace is when nobody says: --workspace, then $LONTAR_WORKSPACE, then the
// platform's per-user application-data folder.

import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { defaultWorkspaceDir, resolveWorkspaceDir } from '../../main/store/index';

test('the option wins, then LONTAR_WORKSPACE, then the per-user default', () => {
  assert.deepEqual(resolveWorkspaceDir('rel/ws', { LONTAR_WORKSPACE: '/env/ws' }), { dir: resolve('rel/ws'), source: 'option' });
  assert.deepEqual(resolveWorkspaceDir(undefined, { LONTAR_WORKSPACE: '/env/ws' }), { dir: '/env/ws', source: 'env' });
  assert.equal(resolveWorkspaceDir(undefined, {}).source, 'default');
});

test('per-platform defaults follow each platform convention for application data', () => {
  assert.equal(defaultWorkspaceDir({}, 'linux'), join(homedir(), '.local', 'share', 'lontar', 'workspace'));
  assert.equal(defaultWorkspaceDir({ XDG_DATA_HOME: '/data' }, 'linux'), join('/data', 'lontar', 'workspace'));
  assert.equal(defaultWorkspaceDir({ XDG_DATA_HOME: 'relative' }, 'linux'), join(homedir(), '.local', 'share', 'lontar', 'workspace'), 'XDG ignores relative paths');
  assert.equal(defaultWorkspaceDir({}, 'darwin'), join(homedir(), 'Library', 'Application Support', 'Lontar', 'workspace'));
  assert.equal(defaultWorkspaceDir({ APPDATA: 'C:\\Users\\sari\\AppData\\Roaming' }, 'win32'), join('C:\\Users\\sari\\AppData\\Roaming', 'Lontar', 'workspace'));
});
