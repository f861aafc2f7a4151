// WS /events: the API events, pushed to pages that proved who they are the same way as for calls
// (the upgrade request carries the session cookie). Each socket remembers whose it is: it receives
// only the events that person's role may see (access-policy.ts), and it is closed when their session
// ends (checked with the heartbeat). The socket only sends; calls go over HTTP.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { mayReceive, type ApiEvent, type Caller } from '../api/index';
import type { Identity } from './auth';

const HEARTBEAT_MS = 30_000;

export interface EventSockets {
  /** Completes an upgrade the host has already checked and identified. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, identity: Identity): void;
  send(event: ApiEvent): void;
  /** Closes at once every signed-in socket whose session has ended (a revocation, say). */
  revalidate(): void;
  close(): void;
}

/** Sessions are re-checked before sending at most this often (events can come many a second). */
const RECHECK_MS = 1000;

/** `stillValid` re-identifies a socket's original upgrade request (session over, revoked, …). */
export function eventSockets(stillValid: (req: IncomingMessage) => Identity | undefined): EventSockets {
  const server = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const owners = new Map<WebSocket, { req: IncomingMessage; caller?: Caller; checkedAt: number }>();
  const alive = new WeakSet<WebSocket>();

  server.on('connection', (ws: WebSocket) => {
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('message', () => ws.close(1008, 'this socket only sends events'));
    ws.on('close', () => owners.delete(ws));
  });

  const heartbeat = setInterval(() => {
    for (const ws of server.clients) {
      const owner = owners.get(ws);
      if (!owner || (owner.caller && !stillValid(owner.req))) ws.close(1008, 'the session has ended; sign in again');
      else if (!alive.has(ws)) ws.terminate();
      else {
        alive.delete(ws);
        ws.ping();
      }
    }
  }, HEARTBEAT_MS).unref();

  return {
    accept(req, socket, head, identity) {
      server.handleUpgrade(req, socket, head, (ws) => {
        owners.set(ws, { req, checkedAt: Date.now(), ...(identity.caller && { caller: identity.caller }) });
        server.emit('connection', ws, req);
      });
    },
    send(event) {
      const text = JSON.stringify(event);
      const now = Date.now();
      for (const [ws, owner] of owners) {
        if (ws.readyState !== ws.OPEN) continue;
        if (owner.caller && now - owner.checkedAt > RECHECK_MS) {
          if (!stillValid(owner.req)) {
            ws.close(1008, 'the session has ended; sign in again');
            continue;
          }
          owner.checkedAt = now;
        }
        // No caller: the local owner (session key), who sees everything.
        if (!owner.caller || mayReceive(owner.caller, event)) ws.send(text);
      }
    },
    revalidate() {
      for (const [ws, owner] of owners) if (owner.caller && !stillValid(owner.req)) ws.close(1008, 'the session has ended; sign in again');
    },
    close() {
      clearInterval(heartbeat);
      for (const ws of server.clients) ws.terminate();
      server.close();
    },
  };
}
