// The browser-mode host: the renderer's files and the API contract over HTTP (POST /api/<method>,
// the same envelope as the desktop IPC) plus the API events over a WebSocket (/events). On loopback
// a session key proves the page is the owner's; on a network address everyone signs in with their
// own invite (auth.ts). Every request passes the same gates, in order: Host and Origin, the client's
// rate limit, the session, then the route; each is written to the request log. Node's http (https
// with the owner's certificate, tls.ts) and the `ws` package; the service does all the work.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { LontarService } from '../api/index';
import { answerCall, DEFAULT_MAX_BODY_BYTES, sendText } from './api-route';
import { InviteAuth, SessionKeyAuth, type Auth, type Identity } from './auth';
import { eventSockets } from './events-socket';
import { advertisedBase, serveHostHooks, shownHost } from './host-hooks';
import { RateLimiter, type BucketSettings } from './rate-limit';
import { actionOf, REQUEST_LOG, RequestLog } from './request-log';
import { allowedHosts, isLoopback, originRefusal, SECURITY_HEADERS, SignInNotConfiguredError, type Scheme } from './security';
import { readOffer, sendSignInPage, sendSignInScript, SIGN_IN_PATH, SIGN_IN_SCRIPT_PATH } from './sign-in-page';
import { sendStatic } from './static-files';
import type { SessionLimits } from './sessions';
import type { TlsFiles } from './tls';

export interface ServeLimits {
  /** Requests per client: burst, then a steady rate. */
  requests: BucketSettings;
  /** Failed sign-ins (wrong key, unknown/expired/revoked invite) per client. */
  failedSignIns: BucketSettings;
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: ServeLimits = {
  // A page loads ~20 files and makes a handful of calls; a busy review session a few calls a second.
  requests: { burst: 200, perSecond: 20 },
  // Five wrong tries, then one more a minute: invite tokens are 256-bit, this stops noisy guessing.
  failedSignIns: { burst: 5, perSecond: 1 / 60 },
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
};

export interface BrowserHostOptions {
  service: LontarService;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The session key on loopback; random when not given. Ignored when sign-in is required. */
  token?: string;
  /** Require invite sign-in even on loopback (always required on any other address). */
  requireSignIn?: boolean;
  /** How long a signed-in session lasts (default 12 h; never past its invite's expiry). */
  sessionMs?: number;
  /** Live sessions per invite, per person and in all (default DEFAULT_SESSION_LIMITS); more are refused. */
  sessionLimits?: SessionLimits;
  /** Extra host names the server answers to on a network (e.g. a DNS name the lab uses). */
  allowHosts?: readonly string[];
  limits?: Partial<ServeLimits>;
  /** Where the request log goes (default: logs/serve-requests.log in the open workspace). */
  requestLog?: string;
  /** Serve HTTPS with this certificate and key (checked by readTlsFiles); plain HTTP without. */
  tls?: TlsFiles;
}

export interface BrowserHost {
  /** The address to open: on loopback it carries the session key once (in the fragment), then a cookie does. */
  url: string;
  port: number;
  scheme: Scheme;
  signInRequired: boolean;
  close(): Promise<void>;
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const bind = options.host ?? '127.0.0.1';
  const { service, rendererDir } = options;
  const signInRequired = Boolean(options.requireSignIn) || !isLoopback(bind);
  if (signInRequired && !service.access.ownerCanSignIn()) throw new SignInNotConfiguredError(bind);
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  let port = 0;
  const scheme: Scheme = options.tls ? 'https' : 'http';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const secure = Boolean(options.tls); // cookies then go back over HTTPS only
  const auth: Auth = signInRequired ? new InviteAuth(() => port, service, options.sessionMs, secure, options.sessionLimits) : new SessionKeyAuth(() => port, token, secure);
  let allowed = new Set<string>();
  const requests = new RateLimiter(limits.requests);
  const failures = new RateLimiter(limits.failedSignIns);
  const log = new RequestLog(() => options.requestLog ?? join(service.workspaceDir, REQUEST_LOG));
  const inFlight = new Set<Promise<void>>();

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL, client: string, identity: { current?: Identity & { note?: string } }): Promise<void> => {
    if (!requests.take(client)) return sendText(res, 429, 'too many requests; wait a moment', { 'Retry-After': String(requests.retryAfterSeconds(client)) });
    const refused = originRefusal(req, allowed, scheme);
    if (refused) return sendText(res, refused.status, refused.message);
    if (url.pathname === SIGN_IN_SCRIPT_PATH && req.method === 'GET') return sendSignInScript(res);
    if (url.pathname === SIGN_IN_PATH) {
      // The key or invite comes once, posted by the sign-in page from the link's fragment; a cookie
      // carries the session from then on.
      if (!failures.allows(client)) return sendText(res, 429, 'too many failed sign-ins from this address; try again later', { 'Retry-After': String(failures.retryAfterSeconds(client)) });
      const offered = await readOffer(req, res, auth.parameter);
      if (offered === undefined) return;
      const exchanged = auth.exchange(offered, auth.identify(req));
      if (!exchanged.ok) {
        if (exchanged.status === 401) failures.take(client);
        else identity.current = { user: exchanged.user ?? '?', note: exchanged.message };
        return sendText(res, exchanged.status, exchanged.message);
      }
      identity.current = { user: exchanged.user };
      res.writeHead(204, { ...SECURITY_HEADERS, 'Set-Cookie': exchanged.setCookie, 'Cache-Control': 'no-store' });
      return void res.end();
    }
    const who = auth.identify(req);
    if (!who && req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) return sendSignInPage(res, auth.parameter, auth.howToSignIn);
    if (!who) return sendText(res, 401, auth.howToSignIn);
    identity.current = who;
    if (url.pathname.startsWith('/api/')) return answerCall(req, res, service, url.pathname.slice('/api/'.length), who.caller, limits.maxBodyBytes);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'only GET serves files');
    if (!sendStatic(rendererDir, url.pathname, res, SECURITY_HEADERS)) sendText(res, 404, 'not found');
  };

  const listener: RequestListener = (req, res) => {
    const started = Date.now();
    const client = req.socket.remoteAddress ?? 'unknown';
    const identity: { current?: Identity & { note?: string } } = {};
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      url = new URL('http://localhost/(unreadable)');
    }
    // 'close', not 'finish': it comes for every response, including ones cut short or ended by
    // close(), which waits for these lines.
    const logged = new Promise<void>((resolve) =>
      res.once('close', () => {
        log.write({
          time: new Date(started).toISOString(),
          client,
          user: identity.current?.user ?? null,
          http: req.method ?? '?',
          action: actionOf(url.pathname),
          status: res.statusCode,
          ms: Date.now() - started,
          ...(identity.current?.note !== undefined && { note: identity.current.note }),
        });
        resolve();
      }),
    );
    inFlight.add(logged);
    void logged.then(() => inFlight.delete(logged));
    handle(req, res, url, client, identity).catch((e: unknown) => {
      process.stderr.write(`lontar serve: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    });
  };
  // No HSTS header: it would bind every port of this host name to HTTPS in the browser, including
  // other servers on the machine, and a lab's self-signed certificate may change.
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createServer(listener);

  const sockets = eventSockets((req) => auth.identify(req));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until ws takes the socket over nothing listens for its errors; a reset must not crash the server.
    socket.on('error', () => socket.destroy());
    const client = req.socket.remoteAddress ?? 'unknown';
    const refuse = (status: number, message: string) => socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`);
    const who = auth.identify(req);
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      path = '(unreadable)';
    }
    const refused = path === '/events' ? originRefusal(req, allowed, scheme) : { status: 404, message: 'not found' };
    const status = refused?.status ?? (!requests.take(client) ? 429 : !who ? 401 : 101);
    log.write({ time: new Date().toISOString(), client, user: who?.user ?? null, http: 'GET', action: 'events (WebSocket)', status, ms: 0 });
    if (status !== 101) return void refuse(status, refused?.message ?? (status === 429 ? 'too many requests' : auth.howToSignIn));
    sockets.accept(req, socket, head, who!);
  });
  const stopEvents = service.onEvent((event) => sockets.send(event));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bind, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(bind, port, options.allowHosts);
  // The People panel's invite links and revocations reach this host's sessions through these.
  const detachHooks = service.attachHost(serveHostHooks(auth, sockets, () => advertisedBase(bind, port, scheme)));
  const base = `${scheme}://${shownHost(bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind)}:${port}/`;
  return {
    url: signInRequired ? base : `${base}#token=${token}`,
    port,
    scheme,
    signInRequired,
    async close() {
      detachHooks();
      stopEvents();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(inFlight);
    },
  };
}
