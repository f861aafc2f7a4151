// Browser mode listens on this computer only. A loopback port is still reachable from every web page
// the person has open and from other accounts on the machine, so each request must prove it comes
// from the Lontar page this server handed out:
//   - Host must name the loopback address and port (defeats DNS rebinding),
//   - Origin, when the browser sends one, must be this server (defeats cross-site requests),
//   - the session cookie must carry the key printed with the URL (defeats other local users),
//   - API calls must be application/json (a cross-site form cannot send that without a preflight).

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CONTENT_SECURITY_POLICY } from '../api/index';

export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'] as const;

export class NonLoopbackHostError extends Error {
  override name = 'NonLoopbackHostError';
  constructor(host: string) {
    super(
      `refusing to serve on "${host}": browser mode listens on this computer only (127.0.0.1). ` +
        'Serving other machines on a network needs sign-in and roles, which a later version of Lontar adds.',
    );
  }
}

export function assertLoopback(host: string): void {
  if (!(LOOPBACK_HOSTS as readonly string[]).includes(host)) throw new NonLoopbackHostError(host);
}

/** The cookie's name includes the port: cookies ignore ports, and two servers must not clash. */
export const sessionCookieName = (port: number): string => `lontar-session-${port}`;

export interface SessionKey {
  port: number;
  token: string;
}

const hostsFor = (port: number) => [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a request is refused (with the HTTP status), or undefined when it may proceed. */
export function refusal(req: IncomingMessage, key: SessionKey, needs: { session: boolean }): { status: number; message: string } | undefined {
  const allowed = hostsFor(key.port);
  if (!allowed.includes(req.headers.host ?? '')) return { status: 421, message: 'this server answers only to its loopback address' };
  const origin = req.headers.origin;
  if (origin !== undefined && !allowed.map((h) => `http://${h}`).includes(origin)) return { status: 403, message: 'requests from other sites are refused' };
  if (needs.session && !sameToken(cookie(req, sessionCookieName(key.port)), key.token)) {
    return { status: 401, message: 'open the address printed by `lontar serve`: it carries the key of this session' };
  }
  return undefined;
}

/** Response headers on every answer: a strict CSP (same as the desktop shell) and no sniffing, framing or referrers. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
