// The browser-mode host: the renderer's files and the API contract over HTTP (POST /api/<method>,
// the same envelope as the desktop IPC) plus the API events over a WebSocket (/events), on loopback
// only. Node's http and the `ws` package; the service does all the work.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiResult, LontarService } from '../api/index';
import { assertLoopback, refusal, sameToken, SECURITY_HEADERS, sessionCookieName, type SessionKey } from './security';
import { sendStatic } from './static-files';

export interface BrowserHostOptions {
  service: LontarService;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The session key; random when not given. */
  token?: string;
}

export interface BrowserHost {
  /** The address to open: it carries the session key once, then a cookie does. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;
const HEARTBEAT_MS = 30_000;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${text}\n`);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function answerCall(req: IncomingMessage, res: ServerResponse, service: LontarService, method: string): Promise<void> {
  if (req.method !== 'POST') return sendText(res, 405, 'API calls are POST requests');
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return sendText(res, 415, 'API calls must be application/json');
  const text = await readBody(req);
  if (text === undefined) return sendText(res, 413, `the request is larger than ${MAX_BODY_BYTES} bytes`);
  let payload: unknown;
  try {
    payload = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    const result: ApiResult<never> = { ok: false, error: { code: 'invalid-request', message: `the request body is not JSON: ${(e as Error).message}` } };
    return sendJson(res, 200, result);
  }
  sendJson(res, 200, await service.call(method, payload));
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const host = options.host ?? '127.0.0.1';
  assertLoopback(host);
  const token = options.token ?? randomBytes(24).toString('base64url');
  const key: SessionKey = { port: 0, token };
  const { service, rendererDir } = options;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const offered = url.searchParams.get('token');
    const refused = refusal(req, key, { session: !(req.method === 'GET' && url.pathname === '/' && offered !== null) });
    if (refused) return sendText(res, refused.status, refused.message);
    if (offered !== null) {
      // The key arrives once in the address; from then on a cookie carries it and the address loses it.
      if (!sameToken(offered, token)) return sendText(res, 401, 'this session key is not valid for this server; open the address `lontar serve` printed');
      res.writeHead(303, { ...SECURITY_HEADERS, Location: '/', 'Set-Cookie': `${sessionCookieName(key.port)}=${token}; HttpOnly; SameSite=Strict; Path=/` });
      return res.end();
    }
    if (url.pathname.startsWith('/api/')) {
      return void answerCall(req, res, service, url.pathname.slice('/api/'.length)).catch((e: unknown) => sendText(res, 500, String(e)));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'only GET serves files');
    if (!sendStatic(rendererDir, url.pathname, res, SECURITY_HEADERS)) sendText(res, 404, 'not found');
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refused = new URL(req.url ?? '/', 'http://localhost').pathname === '/events' ? refusal(req, key, { session: true }) : { status: 404, message: 'not found' };
    if (refused) {
      socket.end(`HTTP/1.1 ${refused.status} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refused.message}\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });
  const alive = new WeakSet<WebSocket>();
  sockets.on('connection', (ws: WebSocket) => {
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('message', () => ws.close(1008, 'this socket only sends events')); // calls go over HTTP
  });
  const heartbeat = setInterval(() => {
    for (const ws of sockets.clients) {
      if (!alive.has(ws)) ws.terminate();
      else {
        alive.delete(ws);
        ws.ping();
      }
    }
  }, HEARTBEAT_MS).unref();
  const stopEvents = service.onEvent((event) => {
    const text = JSON.stringify(event);
    for (const ws of sockets.clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  key.port = (server.address() as AddressInfo).port;
  const shown = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${shown}:${key.port}/?token=${token}`,
    port: key.port,
    async close() {
      clearInterval(heartbeat);
      stopEvents();
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
