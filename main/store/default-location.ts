// Where a workspace lives when the user does not say. Order: the --workspace option, then the
// LONTAR_WORKSPACE environment variable, then a per-user data folder that follows each platform's
// convention for application data (not config, not cache: the workspace is the user's work).

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export type WorkspaceSource = 'option' | 'env' | 'default';

export interface ResolvedWorkspace {
  dir: string;
  source: WorkspaceSource;
}

export function defaultWorkspaceDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Lontar', 'workspace');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Lontar', 'workspace');
  const dataHome = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(home, '.local', 'share');
  return join(dataHome, 'lontar', 'workspace');
}

export function resolveWorkspaceDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedWorkspace {
  if (explicit) return { dir: resolve(explicit), source: 'option' };
  if (env.LONTAR_WORKSPACE) return { dir: resolve(env.LONTAR_WORKSPACE), source: 'env' };
  return { dir: defaultWorkspaceDir(env), source: 'default' };
}
