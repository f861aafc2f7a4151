// HTTPS for the network mode: the owner's certificate and key are checked before anything listens
// (unreadable, not PEM, not a pair, expired), and a host serving them answers only over TLS, with
// Secure cookies, an https origin check, and events over wss. The certificate in fixtures/tls is a
// self-signed test certificate for localhost and 127.0.0.1 (its key is public: tests only).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { readTlsFiles, TlsSetupError } from '../../main/serve/index';
import { finished, spawnTs } from '../store/helpers';
import { signInHost, type Answer, type RequestOptions } from './helpers';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'tls');
const CERT = join(FIXTURES, 'localhost-cert.pem');
const KEY = join(FIXTURES, 'localhost-key.pem');
const OTHER_KEY = join(FIXTURES, 'other-key.pem');
const CA = readFileSync(CERT);

/** A request that trusts only the test certificate, as a browser that was given it would. */
function secureRequest(port: number, path: string, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca: CA, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

test('a certificate and key are checked before serving: unreadable, not PEM, not a pair, expired, not yet valid', () => {
  const { files, facts } = readTlsFiles(CERT, KEY);
  assert.ok(files.cert.length > 0 && files.key.length > 0);
  assert.match(facts.names, /DNS:localhost/);
  assert.match(facts.names, /IP Address:127\.0\.0\.1/);
  assert.ok(facts.validTo.getUTCFullYear() > 2100);
  const refused = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof TlsSetupError && pattern.test(e.message));
  refused(() => readTlsFiles(join(FIXTURES, 'missing.pem'), KEY), /cannot read the certificate .*missing\.pem.*ENOENT/);
  refused(() => readTlsFiles(CERT, join(FIXTURES, 'missing.pem')), /cannot read the private key/);
  refused(() => readTlsFiles(KEY, KEY), /is not a PEM certificate/);
  refused(() => readTlsFiles(CERT, CERT), /is not an unencrypted PEM private key/);
  refused(() => readTlsFiles(CERT, OTHER_KEY), /does not belong to the certificate/);
  refused(() => readTlsFiles(CERT, KEY, new Date('2200-01-01')), /expired on 2126-/);
  refused(() => readTlsFiles(CERT, KEY, new Date('2000-01-01')), /not valid before .*clock/);
});

test('over HTTPS: sign-in sets a Secure cookie, calls and events work over TLS, plain HTTP and an http origin get nothing', async (t) => {
  const { files } = readTlsFiles(CERT, KEY);
  const { port, host, tokens } = await signInHost(t, [{ name: 'boss', role: 'owner' }], { tls: files });
  assert.equal(host.scheme, 'https');
  assert.equal(host.url, `https://127.0.0.1:${port}/`);

  const handshake = await secureRequest(port, '/sign-in', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ invite: tokens['boss'] }) });
  assert.equal(handshake.status, 204);
  const setCookie = String(handshake.headers['set-cookie']);
  assert.match(setCookie, /; Secure/, 'the browser never sends the session back over plain HTTP');
  const cookie = setCookie.split(';')[0]!;
  const call = (headers: Record<string, string>) =>
    secureRequest(port, '/api/workspace.info', { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie, ...headers }, body: '{}' });
  const info = await call({ Origin: `https://127.0.0.1:${port}` });
  assert.equal(info.status, 200, info.body);
  assert.equal(JSON.parse(info.body).ok, true);
  assert.equal((await call({ Origin: `http://127.0.0.1:${port}` })).status, 403, 'an http page is another origin');

  // the same port over plain HTTP: the TLS server never answers with a page or a call
  const plain = await new Promise<number | string>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/workspace.info', method: 'POST', headers: { Cookie: cookie } }, (res) => resolve(res.statusCode!));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    req.end('{}');
  });
  assert.ok(plain !== 200, `plain HTTP answered ${plain}`);

  const events = new WebSocket(`wss://127.0.0.1:${port}/events`, { ca: CA, headers: { Cookie: cookie, Origin: `https://127.0.0.1:${port}` } });
  t.after(() => events.close());
  await new Promise((resolve, reject) => events.on('open', resolve).on('error', reject));
  const refused = new WebSocket(`wss://127.0.0.1:${port}/events`, { ca: CA, headers: { Cookie: cookie, Origin: `http://127.0.0.1:${port}` } });
  const status = await new Promise<number>((resolve) => refused.on('unexpected-response', (_req, res) => resolve(res.statusCode!)).on('error', () => undefined));
  assert.equal(status, 403);
});

test('`lontar serve` refuses half or wrong TLS settings before opening anything', async () => {
  const serve = (...flags: string[]) => finished(spawnTs('bin/lontar.mjs', ['serve', '--workspace', '/nonexistent/never-created', '--no-build', ...flags]));
  const half = await serve('--tls-cert', CERT);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /^lontar: --tls-cert and --tls-key go together/);
  const wrong = await serve('--tls-cert', CERT, '--tls-key', OTHER_KEY);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /^lontar: the private key .*other-key\.pem" does not belong to the certificate/);
  assert.doesNotMatch(wrong.stderr, /\n\s+at /, 'no stack trace for a user error');
});
