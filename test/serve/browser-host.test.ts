// Browser mode's host on loopback with its session key: every request must prove it comes from the
// page this server handed out (Host, Origin, the session cookie, JSON content type). Sign-in for the
// network is in sign-in.test.ts. Calls answer with the
// contract's envelope; events arrive on the WebSocket; the renderer's files are served with the CSP.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { CONTENT_SECURITY_POLICY } from '../../main/api/index';
import { startBrowserHost } from '../../main/serve/index';
import { startService } from '../api/fixtures';
import { postSignIn, request } from './helpers';

async function hostOnTempWorkspace(t: Parameters<typeof startService>[0]) {
  const { dir, service } = await startService(t);
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Lontar</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'export {};');
  writeFileSync(join(dir, 'secret.txt'), 'not for the browser');
  const host = await startBrowserHost({ service, rendererDir, port: 0, token: 'the-key' });
  t.after(() => host.close());
  const cookie = `lontar-session-${host.port}=the-key`;
  return { service, host, port: host.port, cookie };
}

test('the session key arrives once in the address\'s fragment, is posted by the sign-in page, then is a cookie; without it nothing is served', async (t) => {
  const { host, port, cookie } = await hostOnTempWorkspace(t);
  assert.equal(host.url, `http://127.0.0.1:${port}/#token=the-key`);
  const signInPage = await request(port, '/');
  assert.equal(signInPage.status, 401);
  assert.match(signInPage.body, /data-parameter="token".*<script src="\/sign-in\.js">/s);
  assert.equal((await request(port, '/?token=the-key')).status, 401, 'a key in the query signs nobody in');
  assert.equal((await postSignIn(port, 'token', 'guess')).status, 401);
  const handshake = await postSignIn(port, 'token', 'the-key');
  assert.equal(handshake.status, 204);
  assert.match(String(handshake.headers['set-cookie']), new RegExp(`^lontar-session-${port}=the-key; HttpOnly; SameSite=Strict; Path=/`));

  const page = await request(port, '/', { headers: { Cookie: cookie } });
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.equal((await request(port, '/assets/app.js', { headers: { Cookie: cookie } })).headers['content-type'], 'text/javascript; charset=utf-8');
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt']) {
    assert.equal((await request(port, path, { headers: { Cookie: cookie } })).status, 404, path);
  }
});

test('requests from other sites, other host names or without JSON are refused', async (t) => {
  const { port, cookie } = await hostOnTempWorkspace(t);
  const call = (headers: Record<string, string>, body = '{}') => request(port, '/api/workspace.info', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json', ...headers }, body });
  assert.equal((await call({ Host: `evil.example:${port}` })).status, 421, 'DNS rebinding: the Host header names another site');
  assert.equal((await call({ Origin: 'https://evil.example' })).status, 403, 'a cross-site page');
  assert.equal((await call({ 'Content-Type': 'text/plain' })).status, 415, 'a form post cannot send JSON without a preflight');
  assert.equal((await call({ Cookie: 'lontar-session-1=the-key' })).status, 401, "another server's cookie");
  assert.equal((await request(port, '/api/workspace.info', { headers: { Cookie: cookie } })).status, 405);
  assert.equal((await call({ Origin: `http://127.0.0.1:${port}` })).status, 200, 'the page itself');
});

test('calls answer with the contract envelope: values, validation errors and unknown methods alike', async (t) => {
  const { port, cookie } = await hostOnTempWorkspace(t);
  const call = async (method: string, body: string, status = 200) => {
    const a = await request(port, `/api/${method}`, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body });
    assert.equal(a.status, status);
    return JSON.parse(a.body);
  };
  const info = await call('workspace.info', '{}');
  assert.equal(info.ok, true);
  assert.equal(info.value.counts.models, 1);
  const bad = await call('datasets.validate', '{"path": "relative/file.csv"}');
  assert.deepEqual(bad.error.issues.map((i: { path: string }) => i.path), ['path']);
  assert.equal(bad.error.code, 'invalid-request');
  assert.equal((await call('nothing.here', '{}')).error.code, 'unknown-method');
  const garbled = await call('workspace.info', '{oops', 400);
  assert.equal(garbled.error.code, 'invalid-request');
  assert.match(garbled.error.message, /not JSON/);
});

test('events stream over the WebSocket to the page, and only to it', async (t) => {
  const { service, port, cookie } = await hostOnTempWorkspace(t);
  const open = (headers: Record<string, string>) => new WebSocket(`ws://127.0.0.1:${port}/events`, { headers });
  const refusedWith = (ws: WebSocket) => new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!)).on('error', () => undefined));
  assert.equal(await refusedWith(open({ Origin: `http://127.0.0.1:${port}` })), 401);
  assert.equal(await refusedWith(open({ Cookie: cookie, Origin: 'https://evil.example' })), 403);

  const ws = open({ Cookie: cookie, Origin: `http://127.0.0.1:${port}` });
  await new Promise((resolve) => ws.on('open', resolve));
  const received = new Promise<{ type: string; workspace: { dir: string } }>((resolve) => ws.on('message', (m) => resolve(JSON.parse(String(m)))));
  const next = join((await service.call('workspace.info', {}) as { value: { dir: string } }).value.dir, '..', 'other');
  await service.call('workspace.open', { dir: next });
  const event = await received;
  assert.equal(event.type, 'workspace-changed');
  assert.equal(event.workspace.dir, next);
  ws.close();
});
