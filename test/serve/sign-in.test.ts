// Browser mode with sign-in (what `lontar serve --host 0.0.0.0` runs): nothing without a session,
// invites exchanged for sessions bound to their person and role, expired and revoked invites
// refused, sessions that end, the role policy as HTTP 403, and a server that will not start on the
// network without a way for the owner to sign in. Bound to 127.0.0.1 throughout (requireSignIn).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANNOTATOR_CALLS, API_METHODS } from '../../main/api/index';
import { hostname, networkInterfaces } from 'node:os';
import { allowedHosts, isLoopback, SignInNotConfiguredError, startBrowserHost } from '../../main/serve/index';
import { finished, spawnTs, tempDir, waitForOutput } from '../store/helpers';
import { fakeRenderer, postSignIn, request, serviceOn, signInHost, workspaceWithInvites } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a network address, or --require-sign-in, is refused until an owner can sign in', async (t) => {
  const { dir, workspaceDir } = workspaceWithInvites(t, [
    { name: 'ana', role: 'annotator' },
    { name: 'old owner', role: 'owner', expiresInMs: -1000 },
    { name: 'gone owner', role: 'owner', revoked: true },
  ]);
  const service = await serviceOn(t, workspaceDir);
  const rendererDir = fakeRenderer(dir);
  // Refused before listening, so nothing ever binds beyond loopback here.
  for (const options of [{ host: '0.0.0.0' }, { host: '192.168.1.20' }, { host: '::' }, { host: '127.0.0.1', requireSignIn: true }]) {
    await assert.rejects(startBrowserHost({ service, rendererDir, port: 0, ...options }), (e: unknown) => {
      assert.ok(e instanceof SignInNotConfiguredError, String(e));
      assert.match(e.message, /without sign-in.*lontar access invite NAME --role owner/);
      return true;
    });
  }
});

test('`lontar serve --host 0.0.0.0` exits 2 before opening anything when no owner invite exists', async () => {
  const run = await finished(spawnTs('bin/lontar.mjs', ['serve', '--host', '0.0.0.0', '--workspace', '/nonexistent/never-created']));
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^lontar: refusing to serve on "0\.0\.0\.0" without sign-in/);
});

test('without a session nothing is served: 401 for pages, calls and events; the loopback key is not accepted', async (t) => {
  const { port, call, host } = await signInHost(t, [{ name: 'boss', role: 'owner' }]);
  assert.equal(host.signInRequired, true);
  assert.equal(host.url, `http://127.0.0.1:${port}/`, 'no key in the address: everyone has their own invite');
  assert.equal((await request(port, '/')).status, 401);
  assert.equal((await request(port, '/assets/app.js')).status, 401);
  const refused = await call(undefined, 'workspace.info');
  assert.equal(refused.status, 401);
  assert.match(refused.body, /invite link/);
  assert.equal((await call(`lontar-session-${port}=made-up`, 'workspace.info')).status, 401);
  assert.equal((await postSignIn(port, 'token', 'anything')).status, 400, 'the session-key handshake is off when sign-in is required');
});

test('an invite signs its person in: the session acts as them, with their role', async (t) => {
  const { port, tokens, signIn, call } = await signInHost(t, [
    { name: 'boss', role: 'owner' },
    { name: 'Ana Siregar', role: 'annotator' },
  ]);
  const handshake = await postSignIn(port, 'invite', tokens['Ana Siregar']!);
  assert.equal(handshake.status, 204);
  assert.match(String(handshake.headers['set-cookie']), new RegExp(`^lontar-session-${port}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/; Max-Age=\\d+$`));
  assert.ok(!String(handshake.headers['set-cookie']).includes(tokens['Ana Siregar']!), 'the cookie carries a session id, not the invite');

  const ana = String(handshake.headers['set-cookie']).split(';')[0]!;
  assert.equal((await request(port, '/', { headers: { Cookie: ana } })).status, 200);
  const info = await call(ana, 'app.info');
  assert.equal(info.status, 200);
  assert.deepEqual({ ...info.json.value.caller, annotatorId: 0 }, { annotatorId: 0, name: 'Ana Siregar', role: 'annotator' });
  const boss = await call(await signIn(tokens['boss']!), 'app.info');
  assert.equal(boss.json.value.caller.name, 'boss');
  assert.equal(boss.json.value.caller.role, 'owner');
  assert.notEqual(boss.json.value.caller.annotatorId, info.json.value.caller.annotatorId);
});

test('an annotator gets 403 for training, discovery, imports, exports, jobs and workspace changes; the owner does not', async (t) => {
  const { tokens, signIn, call } = await signInHost(t, [
    { name: 'boss', role: 'owner' },
    { name: 'ana', role: 'annotator' },
  ]);
  const ana = await signIn(tokens['ana']!);
  const boss = await signIn(tokens['boss']!);
  const ownerOnly: [string, unknown][] = [
    ['circuits.discover', { modelId: 1, datasetId: 1, language: 'ace' }],
    ['datasets.import', { path: '/tmp/data.csv' }],
    ['datasets.validate', { path: '/etc/passwd' }],
    ['datasets.createPools', { datasetId: 1 }],
    ['models.import', { path: '/tmp/model' }],
    ['circuits.saveEdited', {}],
    ['jobs.cancel', { jobId: 1 }],
    ['jobs.resume', { jobId: 1 }],
    ['jobs.list', {}],
    ['workspace.open', { dir: '/tmp/elsewhere' }],
  ];
  for (const [method, payload] of ownerOnly) {
    const answer = await call(ana, method, payload);
    assert.equal(answer.status, 403, method);
    assert.equal(answer.json.ok, false);
    assert.equal(answer.json.error.code, 'forbidden', method);
    assert.match(answer.json.error.message, /ana is signed in as an annotator/);
  }
  // Every call not on the annotator list is the owner's, including calls added after this test was
  // written (training, transfer, export): default deny.
  for (const method of API_METHODS.filter((m) => !(ANNOTATOR_CALLS as readonly string[]).includes(m))) {
    assert.equal((await call(ana, method, {})).status, 403, method);
  }
  // The refusal comes before validation: an annotator learns nothing about a call's arguments.
  assert.equal((await call(ana, 'circuits.discover', { nonsense: true })).json.error.code, 'forbidden');
  for (const method of ['app.info', 'workspace.info', 'engine.info', 'datasets.list', 'models.list']) {
    assert.equal((await call(ana, method)).json.ok, true, method);
  }
  // The owner's refusals are ordinary envelopes (the job does not exist), never 403.
  const resumed = await call(boss, 'jobs.resume', { jobId: 999 });
  assert.equal(resumed.status, 200);
  assert.notEqual(resumed.json.error.code, 'forbidden');
  assert.equal((await call(boss, 'jobs.list')).json.ok, true);
});

test('expired, revoked and unknown invites are refused, and repeated failures trip the sign-in limit', async (t) => {
  const { port, tokens, signIn } = await signInHost(
    t,
    [
      { name: 'boss', role: 'owner' },
      { name: 'late', role: 'annotator', expiresInMs: -1000 },
      { name: 'gone', role: 'annotator', revoked: true },
      { name: 'fine', role: 'annotator' },
    ],
    { limits: { failedSignIns: { burst: 3, perSecond: 0.001 } } },
  );
  const refusal = async (token: string) => {
    const answer = await postSignIn(port, 'invite', token);
    assert.equal(answer.headers['set-cookie'], undefined);
    return answer;
  };
  assert.match((await refusal(tokens['late']!)).body, /has expired/);
  assert.match((await refusal(tokens['gone']!)).body, /has been revoked/);
  assert.match((await refusal(tokens['fine']!.slice(0, -1))).body, /is not valid/);
  // Three failures used the bucket: even a good invite from this address waits now.
  const limited = await refusal(tokens['fine']!);
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers['retry-after']) > 0);
  void signIn;
});

test('a session ends at its configured length, and never outlives its invite', async (t) => {
  const short = await signInHost(t, [{ name: 'boss', role: 'owner' }], { sessionMs: 600 });
  const cookie = await short.signIn(short.tokens['boss']!);
  assert.equal((await short.call(cookie, 'workspace.info')).status, 200);
  await sleep(800);
  assert.equal((await short.call(cookie, 'workspace.info')).status, 401, 'the session is over');
  assert.equal((await short.call(await short.signIn(short.tokens['boss']!), 'workspace.info')).status, 200, 'the invite still works');

  const brief = await signInHost(t, [
    { name: 'boss', role: 'owner' },
    { name: 'visitor', role: 'annotator', expiresInMs: 1500 },
  ]);
  const handshake = await postSignIn(brief.port, 'invite', brief.tokens['visitor']!);
  assert.match(String(handshake.headers['set-cookie']), /Max-Age=[01];?/, 'the cookie ends with the invite');
  const visitor = String(handshake.headers['set-cookie']).split(';')[0]!;
  assert.equal((await brief.call(visitor, 'workspace.info')).status, 200);
  await sleep(1700);
  assert.equal((await brief.call(visitor, 'workspace.info')).status, 401);
});

test('on a network the Host check admits this machine\'s addresses and names, and still nothing else', () => {
  const lan = allowedHosts('0.0.0.0', 5183, ['lab-box.example.org']);
  const ipv4 = Object.values(networkInterfaces()).flatMap((l) => l ?? []).filter((a) => a.family === 'IPv4');
  for (const a of ipv4) assert.ok(lan.has(`${a.address}:5183`), a.address);
  for (const name of ['127.0.0.1:5183', 'localhost:5183', `${hostname().toLowerCase()}:5183`, 'lab-box.example.org:5183']) assert.ok(lan.has(name), name);
  for (const name of ['evil.example:5183', '0.0.0.0:5183', '127.0.0.1:5184', 'lab-box.example.org']) assert.ok(!lan.has(name), name);
  const one = allowedHosts('192.168.1.20', 80);
  assert.ok(one.has('192.168.1.20:80'));
  assert.ok(!one.has('127.0.0.1:80'), 'a server bound to one address is not reached over loopback');
  assert.deepEqual([...allowedHosts('127.0.0.1', 9)].sort(), ['127.0.0.1:9', '[::1]:9', 'localhost:9']);
  assert.ok(isLoopback('127.0.0.2') && isLoopback('::1') && !isLoopback('0.0.0.0') && !isLoopback('127.0.0.1.evil'));
});

test('with sign-in, a DNS-rebound page (its own domain as Host) is refused before any session is looked at', async (t) => {
  const { port, tokens, signIn } = await signInHost(t, [{ name: 'boss', role: 'owner' }]);
  const cookie = await signIn(tokens['boss']!);
  const rebound = await request(port, '/api/workspace.info', { method: 'POST', headers: { Host: `attacker.example:${port}`, Cookie: cookie, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(rebound.status, 421);
  const crossSite = await request(port, '/api/workspace.info', { method: 'POST', headers: { Origin: 'http://attacker.example', Cookie: cookie, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(crossSite.status, 403);
});

test('the CLI end to end: an invite from `lontar access`, then `lontar serve --require-sign-in` lets that person in', async (t) => {
  const dir = `${tempDir(t, 'lontar-serve-cli-')}/ws`;
  const invited = await finished(spawnTs('bin/lontar.mjs', ['access', 'invite', 'Sari', '--role', 'owner', '--url', 'http://127.0.0.1:5183', '--workspace', dir, '--json']));
  assert.equal(invited.code, 0, invited.stderr);
  const link = new URL(JSON.parse(invited.stdout).link);
  assert.equal(link.search, '', 'the invite is in the fragment, never sent to a server');
  const token = new URLSearchParams(link.hash.slice(1)).get('invite')!;
  const serve = spawnTs('bin/lontar.mjs', ['serve', '--require-sign-in', '--port', '0', '--no-build', '--threads', '1', '--session-hours', '2', '--workspace', dir]);
  const ended = finished(serve);
  t.after(() => void serve.kill('SIGKILL'));
  const banner = await waitForOutput(serve, 'Ctrl-C stops', 60_000);
  assert.match(banner, /with sign-in \(sessions last 2 h\)/);
  assert.match(banner, /logs\/serve-requests\.log/);
  const port = Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner)![1]);
  assert.equal((await postSignIn(port, 'token', 'whatever')).status, 400);
  const handshake = await postSignIn(port, 'invite', token);
  assert.equal(handshake.status, 204);
  assert.match(String(handshake.headers['set-cookie']), /Max-Age=7[12]\d\d/, 'a two-hour session');
  const cookie = String(handshake.headers['set-cookie']).split(';')[0]!;
  const info = await request(port, '/api/app.info', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(JSON.parse(info.body).value.caller.name, 'Sari');
  serve.kill('SIGINT');
  assert.equal((await ended).code, 0);
});
