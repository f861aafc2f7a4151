// With sign-in, the event socket needs a session like any call and delivers only what the person's
// role may see; every request lands in the workspace's request log with who, what and the status,
// and never with an invite token or a session id.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { REQUEST_LOG } from '../../main/serve/index';
import { postSignIn, request, signInHost } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('events need a session, and an annotator receives no job events', async (t) => {
  const { dir, port, tokens, signIn, call } = await signInHost(t, [
    { name: 'boss', role: 'owner' },
    { name: 'ana', role: 'annotator' },
  ]);
  const open = (headers: Record<string, string>) => new WebSocket(`ws://127.0.0.1:${port}/events`, { headers });
  const refusedWith = (ws: WebSocket) => new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!)).on('error', () => undefined));
  assert.equal(await refusedWith(open({ Origin: `http://127.0.0.1:${port}` })), 401);
  assert.equal(await refusedWith(open({ Cookie: `lontar-session-${port}=guess` })), 401);

  const connect = async (cookie: string) => {
    const ws = open({ Cookie: cookie, Origin: `http://127.0.0.1:${port}` });
    const seen: string[] = [];
    ws.on('message', (m) => seen.push(JSON.parse(String(m)).type));
    await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
    t.after(() => ws.close());
    return seen;
  };
  const boss = await signIn(tokens['boss']!);
  const bossSees = await connect(boss);
  const anaSees = await connect(await signIn(tokens['ana']!));

  const csv = join(dir, 'tiny.csv');
  writeFileSync(csv, 'text,label\nbagus sekali,positive\njelek,negative\nbiasa saja,neutral\n');
  const queued = await call(boss, 'datasets.import', { path: csv, acceptWarnings: true });
  assert.equal(queued.json.ok, true, queued.body);
  for (let i = 0; i < 50 && !bossSees.includes('job-queued'); i++) await sleep(50);
  assert.ok(bossSees.includes('job-queued'), `the owner sees the job (saw ${bossSees.join(', ')})`);
  await sleep(200);
  assert.deepEqual(anaSees.filter((type) => type.startsWith('job-')), [], 'job events are the owner\'s business');
});

test('every request is logged with the person, the action and the status, and no secret', async (t) => {
  const { workspaceDir, port, tokens, signIn, call, host } = await signInHost(t, [
    { name: 'boss', role: 'owner' },
    { name: 'ana', role: 'annotator' },
  ]);
  const ana = await signIn(tokens['ana']!);
  await call(ana, 'datasets.list');
  await call(ana, 'circuits.discover', { modelId: 1 });
  await call(undefined, 'workspace.info');
  await postSignIn(port, 'invite', 'not-a-real-invite');
  await request(port, '/assets/app.js', { headers: { Cookie: ana } });
  await host.close(); // flushes the log

  const text = readFileSync(join(workspaceDir, REQUEST_LOG), 'utf8');
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { user: string | null; http: string; action: string; status: number; time: string; client: string; ms: number });
  const find = (action: string, status: number) => lines.find((l) => l.action === action && l.status === status);
  assert.match(find('/sign-in', 204)?.user ?? '', /^ana#\d+ \(annotator\)$/, 'the sign-in, as the person it signed in');
  assert.match(find('call datasets.list', 200)?.user ?? '', /^ana#\d+ \(annotator\)$/);
  assert.match(find('call circuits.discover', 403)?.user ?? '', /^ana#/);
  assert.equal(find('call workspace.info', 401)?.user, null);
  assert.equal(find('/sign-in', 401)?.user, null, 'the failed sign-in');
  assert.equal(find('/assets/app.js', 200)?.http, 'GET', text);
  for (const line of lines) {
    assert.match(line.time, /^\d{4}-\d\d-\d\dT/);
    assert.equal(line.client, '127.0.0.1');
    assert.ok(line.ms >= 0);
  }
  for (const secret of [tokens['ana']!, tokens['boss']!, 'not-a-real-invite', ana.split('=')[1]!]) {
    assert.ok(!text.includes(secret), 'no invite token or session id in the log');
  }
});
