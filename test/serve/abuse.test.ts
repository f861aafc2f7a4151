// Bounded abuse of a running server, on loopback only: malformed and oversized bodies, odd method
// names, path traversal in file requests and in every path-taking call, SQL-looking text, and a
// flood that trips the rate limiter. Each must be refused or stored literally: never a 500, never a
// crash (the server still answers a normal call afterwards).

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { request, signInHost } from './helpers';

const OWNER = [{ name: 'boss', role: 'owner' as const }];

async function ownerHost(t: Parameters<typeof signInHost>[0], options: Parameters<typeof signInHost>[2] = {}) {
  const host = await signInHost(t, OWNER, options);
  const cookie = await host.signIn(host.tokens['boss']!);
  const stillAnswers = async () => assert.equal((await host.call(cookie, 'workspace.info')).json.ok, true, 'the server still answers');
  return { ...host, cookie, stillAnswers };
}

/** Sends raw bytes and returns the status line the server answers with (or "closed"). */
function raw(port: number, text: string, { endAfterWrite = true } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer.split('\r\n')[0] || 'closed'));
    socket.write(text, () => (endAfterWrite ? socket.end() : undefined));
    setTimeout(() => socket.destroy(), 3000).unref();
  });
}

test('malformed JSON is a 400 with the envelope; odd method names are unknown, not errors', async (t) => {
  const { call, cookie, stillAnswers } = await ownerHost(t);
  for (const body of ['{oops', '{"a":', 'nul', '\u0000\u0001', '{"path": "\ud800"', `${'['.repeat(5000)}`, '{"__proto__": {"polluted": true}']) {
    const answer = await call(cookie, 'workspace.info', body);
    assert.equal(answer.status, 400, JSON.stringify(body.slice(0, 20)));
    assert.equal(answer.json.error.code, 'invalid-request');
  }
  // Valid JSON of the wrong shape is the contract's business: a 200 envelope naming the problem.
  for (const body of ['[]', '"text"', '42', '{"__proto__": {"polluted": true}}', `${'['.repeat(3000)}${']'.repeat(3000)}`]) {
    const answer = await call(cookie, 'datasets.examples', body);
    assert.equal(answer.status, 200, body.slice(0, 20));
    assert.equal(answer.json.error.code, 'invalid-request');
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  for (const method of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '%00', '..%2F..%2Fetc%2Fpasswd', 'a'.repeat(5000)]) {
    const answer = await call(cookie, method);
    assert.equal(answer.status, 200, method.slice(0, 20));
    assert.equal(answer.json.error.code, 'unknown-method', method.slice(0, 20));
  }
  // Dot segments are resolved like any URL: this is a plain app.info call, not a way around anything.
  assert.equal((await call(cookie, 'workspace.info/../app.info')).json.value.caller.name, 'boss');
  await stillAnswers();
});

test('oversized bodies get 413 whether declared or streamed, and the server carries on', async (t) => {
  const { port, call, cookie, stillAnswers } = await ownerHost(t, { limits: { maxBodyBytes: 4096 } });
  const big = JSON.stringify({ search: 'x'.repeat(10_000), datasetId: 1 });
  const declared = await call(cookie, 'datasets.examples', big);
  assert.equal(declared.status, 413);
  assert.equal(declared.json.error.code, 'invalid-request');
  // Chunked: no Content-Length, so the limit is found while reading.
  const head = `POST /api/datasets.examples HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
  const chunk = 'y'.repeat(3000);
  const chunks = Array.from({ length: 4 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
  assert.match(await raw(port, `${head}${chunks}0\r\n\r\n`), /^HTTP\/1\.1 413/);
  // A lying Content-Length far beyond the limit is refused before a byte of body is read.
  const liar = `POST /api/workspace.info HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n{}`;
  assert.match(await raw(port, liar, { endAfterWrite: false }), /^HTTP\/1\.1 413/);
  // Headers past Node's limit get its own 431, not a crash.
  assert.equal((await request(port, '/', { headers: { Cookie: `${cookie}; x=${'z'.repeat(20_000)}` } }).catch(() => ({ status: 431 }))).status, 431);
  await stillAnswers();
});

test('path traversal finds nothing: static files stay inside the build, path-taking calls refuse or report', async (t) => {
  const { port, call, cookie, stillAnswers, workspaceDir } = await ownerHost(t);
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/%252e%252e/secret.txt', '/secret.txt%00.js', '//etc/passwd', '/%c0%ae%c0%ae/secret.txt']) {
    const answer = await request(port, path, { headers: { Cookie: cookie } });
    assert.equal(answer.status, 404, path);
    assert.ok(!answer.body.includes('not for the browser'), path);
  }
  const traversals = ['relative/../../etc/passwd', '../../../../etc/passwd', '/tmp/../../../etc/shadow', `${workspaceDir}/../../../etc/passwd`, `/tmp/${'../'.repeat(50)}etc`, '/tmp/\u0000evil', '~/../../root'];
  const calls: [string, (p: string) => unknown][] = [
    ['datasets.validate', (path) => ({ path })],
    ['models.inspect', (path) => ({ path })],
    ['models.import', (path) => ({ path })],
    ['workspace.open', (dir) => ({ dir, create: false })],
  ];
  for (const [method, payload] of calls) {
    for (const path of traversals) {
      const answer = await call(cookie, method, payload(path));
      assert.equal(answer.status, 200, `${method} ${path}: ${answer.body.slice(0, 200)}`);
      if (answer.json.ok) {
        // Only a validation may run on a real file, and its report refuses it as data.
        assert.equal(method, 'datasets.validate', `${method} ${path} should not succeed`);
        assert.ok(answer.json.value.report.errors.length > 0 || answer.json.value.report.examples === 0, `${path} is no dataset`);
      } else {
        assert.notEqual(answer.json.error.code, 'internal', `${method} ${path}: ${answer.json.error.message}`);
      }
    }
  }
  assert.equal((await call(cookie, 'workspace.info')).json.value.dir, workspaceDir, 'still the same workspace');
  await stillAnswers();
});

test('SQL-looking text is data: searched and stored literally', async (t) => {
  const { call, cookie, stillAnswers } = await ownerHost(t);
  for (const search of ["' OR 1=1 --", "x'); DROP TABLE examples; --", '%', '_', '\\', '" OR ""="']) {
    const answer = await call(cookie, 'datasets.examples', { datasetId: 1, search });
    assert.equal(answer.status, 200);
    assert.notEqual(answer.json.error?.code, 'internal', search);
  }
  const listed = await call(cookie, 'datasets.list');
  assert.equal(listed.json.ok, true, 'the tables are all still there');
  await stillAnswers();
});

test('a flood from one client trips the rate limiter with 429 and Retry-After', async (t) => {
  const { port, cookie } = await ownerHost(t, { limits: { requests: { burst: 10, perSecond: 0.5 } } });
  const statuses: number[] = [];
  for (let i = 0; i < 15; i++) statuses.push((await request(port, '/assets/app.js', { headers: { Cookie: cookie } })).status);
  // The sign-in used one token; nine more pass, then the bucket is empty.
  assert.deepEqual(statuses.slice(0, 9), Array(9).fill(200));
  assert.deepEqual(statuses.slice(9), Array(6).fill(429));
  const limited = await request(port, '/');
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers['retry-after']) >= 1);
});

test('garbled request lines, bad URLs and abandoned upgrades get an answer or a closed socket, never a crash', async (t) => {
  const { port, cookie, stillAnswers } = await ownerHost(t);
  const host = `Host: 127.0.0.1:${port}\r\nCookie: ${cookie}`;
  const upgrade = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
  for (const text of [
    'GARBAGE\r\n\r\n',
    `GET http://[ HTTP/1.1\r\n${host}\r\n\r\n`,
    `GET /%%% HTTP/1.1\r\n${host}\r\n\r\n`,
    `GET http://[ HTTP/1.1\r\n${host}\r\n${upgrade}\r\n\r\n`,
    `GET /events HTTP/1.1\r\n${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    `GET /elsewhere HTTP/1.1\r\n${host}\r\n${upgrade}\r\n\r\n`,
    `POST /api/workspace.info HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"half":`,
  ]) {
    const status = await raw(port, text);
    assert.ok(status === 'closed' || /^HTTP\/1\.1 [1-4]\d\d/.test(status), `${JSON.stringify(text.slice(0, 30))}: ${status}`);
  }
  // An upgrade that hangs up at once.
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(`GET /events HTTP/1.1\r\n${host}\r\n${upgrade}\r\n\r\n`, () => socket.resetAndDestroy());
  await new Promise((r) => setTimeout(r, 100));
  await stillAnswers();
});
