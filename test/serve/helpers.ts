// Shared by the browser-mode tests: raw HTTP requests (to send what a browser never would), a
// workspace with invites made before the server starts (as `lontar access invite` does), and a
// host on 127.0.0.1 with a tiny renderer folder. Every server here listens on loopback only; "LAN"
// behaviour is exercised with requireSignIn, which turns on exactly the checks a network address does.

import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { LontarService } from '../../main/api/index';
import { JobRegistry } from '../../main/jobs/index';
import { startBrowserHost, type BrowserHostOptions } from '../../main/serve/index';
import { Workspace, type AnnotatorRole } from '../../main/store/index';
import { tempDir } from '../store/helpers';

type TestContext = { after: (fn: () => void | Promise<void>) => void };

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function request(port: number, path: string, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What the sign-in page does with the secret from a link's fragment: POST it as JSON, same-origin. */
export function postSignIn(port: number, field: 'invite' | 'token', secret: string, headers: Record<string, string> = {}): Promise<Answer> {
  return request(port, '/sign-in', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ [field]: secret }) });
}

export interface InviteSpec {
  name: string;
  role: AnnotatorRole;
  /** Milliseconds from now (default a day); negative makes an already expired invite. */
  expiresInMs?: number;
  revoked?: boolean;
}

/** A new workspace holding the given invites; returns the folder and each invite's token by name. */
export function workspaceWithInvites(
  t: TestContext,
  invites: readonly InviteSpec[],
  seed?: (ws: Workspace) => void,
): { dir: string; workspaceDir: string; tokens: Record<string, string> } {
  const dir = tempDir(t, 'lontar-serve-');
  const workspaceDir = join(dir, 'workspace');
  const ws = Workspace.open(workspaceDir, { create: true });
  const tokens: Record<string, string> = {};
  try {
    seed?.(ws);
    for (const spec of invites) {
      const expiresInMs = spec.expiresInMs ?? 86_400_000;
      // An expired invite is made "in the past" (the store refuses expiries before its `now`).
      const now = new Date(Date.now() + Math.min(0, expiresInMs) - 60_000);
      const { token, record } = ws.access.invite({ name: spec.name, role: spec.role, expiresAt: new Date(Date.now() + expiresInMs) }, now);
      if (spec.revoked) ws.access.revoke(record.id);
      tokens[spec.name] = token;
    }
  } finally {
    ws.close();
  }
  return { dir, workspaceDir, tokens };
}

/** A service on `workspaceDir` (one engine thread per job), closed when the test ends. */
export async function serviceOn(t: TestContext, workspaceDir: string): Promise<LontarService> {
  const service = await LontarService.start({ host: 'browser', workspaceDir, threads: 1, registry: await JobRegistry.load() });
  t.after(() => service.close());
  return service;
}

/** A tiny built renderer beside the workspace, and a secret file next to it that must never be served. */
export function fakeRenderer(dir: string): string {
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Lontar</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'export {};');
  writeFileSync(join(dir, 'secret.txt'), 'not for the browser');
  return rendererDir;
}

/** A sign-in host on 127.0.0.1 over a workspace with these invites. */
export async function signInHost(t: TestContext, invites: readonly InviteSpec[], options: Partial<BrowserHostOptions> = {}, seed?: (ws: Workspace) => void) {
  const { dir, workspaceDir, tokens } = workspaceWithInvites(t, invites, seed);
  const service = await serviceOn(t, workspaceDir);
  const host = await startBrowserHost({ service, rendererDir: fakeRenderer(dir), port: 0, requireSignIn: true, ...options });
  t.after(() => host.close());
  const port = host.port;
  /** Signs in with an invite as its page does; returns the session cookie (or throws with the status). */
  const signIn = async (token: string): Promise<string> => {
    const answer = await postSignIn(port, 'invite', token);
    if (answer.status !== 204) throw new Error(`sign-in answered ${answer.status}: ${answer.body}`);
    return String(answer.headers['set-cookie']).split(';')[0]!;
  };
  const call = async (cookie: string | undefined, method: string, payload: unknown = {}) => {
    const answer = await request(port, `/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(cookie && { Cookie: cookie }) },
      body: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    return { status: answer.status, body: answer.body, json: answer.headers['content-type']?.includes('json') ? JSON.parse(answer.body) : undefined };
  };
  return { dir, workspaceDir, tokens, service, host, port, signIn, call };
}
