// app.info, workspace.info/open, engine.info.

import { cpus, homedir, totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { Workspace } from '../../store/index';
import type { WorkspaceInfo } from '../contract/index';
import type { Handlers } from '../handler-types';
import { demoState } from '../resources';

const VERSION = process.env.npm_package_version ?? '0.1.0';

export function workspaceInfo(ws: Workspace): WorkspaceInfo {
  const count = (sql: string) => (ws.db.prepare(sql).get() as { n: number }).n;
  return {
    dir: ws.dir,
    schemaVersion: ws.schemaVersion,
    counts: {
      datasets: count('SELECT count(*) AS n FROM datasets'),
      examples: count('SELECT count(*) AS n FROM examples'),
      models: count('SELECT count(*) AS n FROM models'),
      circuits: count('SELECT count(*) AS n FROM circuits'),
      jobs: count('SELECT count(*) AS n FROM jobs'),
      activeJobs: count("SELECT count(*) AS n FROM jobs WHERE status IN ('queued', 'running')"),
    },
  };
}

/** `~/x` → the home folder's x (people type it in browser mode). */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? resolve(homedir(), path.slice(2)) : resolve(path);
}

export const workspaceHandlers: Handlers = {
  'app.info': (ctx) => ({
    version: VERSION,
    host: ctx.host,
    nativeDialogs: ctx.host === 'desktop',
    demo: demoState(ctx.ws, ctx.resources, ctx.demoModelProblem),
    caller: { ...ctx.caller },
  }),
  'workspace.info': (ctx) => workspaceInfo(ctx.ws),
  'workspace.open': async (ctx, req) => {
    await ctx.openWorkspace(expandHome(req.dir), req.create);
    return workspaceInfo(ctx.ws);
  },
  'engine.info': (ctx) => ({
    provider: ctx.engine.choice.provider,
    reason: ctx.engine.choice.reason,
    devices: ctx.engine.devices,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    platform: process.platform,
    arch: process.arch,
    node: process.version,
  }),
};
