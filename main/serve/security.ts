// Browser mode's checks on every request, before any session is looked at:
//   - Host must name an address this server answers on (defeats DNS rebinding: a hostile page whose
//     domain is re-pointed at this machine sends its own domain as Host),
//   - Origin, when the browser sends one, must be this server (defeats cross-site requests),
//   - API calls must be application/json (a cross-site form cannot send that without a preflight,
//     which this server never grants).
// Who the caller is (the session key on loopback, a signed-in person on a network) is auth.ts's job.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { CONTENT_SECURITY_POLICY } from '../api/index';

/** HTTPS when the owner gave a certificate (`--tls-cert`), plain HTTP otherwise. */
export type Scheme = 'http' | 'https';

export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'] as const;

/** 127.0.0.0/8, ::1 and localhost: only this computer can connect. */
export function isLoopback(host: string): boolean {
  return (LOOPBACK_HOSTS as readonly string[]).includes(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Serving beyond this computer without anyone able to sign in as the owner. */
export class SignInNotConfiguredError extends Error {
  override name = 'SignInNotConfiguredError';
  constructor(host: string) {
    super(
      `refusing to serve on "${host}" without sign-in: other machines on the network could reach the workspace. ` +
        'Create an owner invite first (`lontar access invite NAME --role owner`), then start `lontar serve` again; ' +
        'give annotators their own invites (`--role annotator`).',
    );
  }
}

/** The cookie's name includes the port: cookies ignore ports, and two servers must not clash. */
export const sessionCookieName = (port: number): string => `lontar-session-${port}`;

export function cookie(req: IncomingMessage, name: string): string | undefined {
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

const withPort = (name: string, port: number) => `${name.includes(':') ? `[${name}]` : name}:${port}`;

/**
 * The Host header values this server answers to: the loopback names, plus on a network the address
 * it listens on (every interface's address for 0.0.0.0 or ::), this machine's name and any names
 * the owner adds (`--allow-host`, e.g. a DNS name the lab uses).
 */
export function allowedHosts(bind: string, port: number, extraNames: readonly string[] = []): Set<string> {
  const names = new Set<string>(isLoopback(bind) || bind === '0.0.0.0' || bind === '::' ? [...LOOPBACK_HOSTS, bind] : [bind]);
  if (!isLoopback(bind)) {
    if (bind === '0.0.0.0' || bind === '::') {
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (bind === '::' || a.family === 'IPv4') names.add(a.address.split('%')[0]!);
    }
    const machine = hostname().toLowerCase();
    names.add(machine);
    if (!machine.includes('.')) names.add(`${machine}.local`);
  }
  for (const extra of extraNames) names.add(extra.toLowerCase());
  return new Set([...names].filter((n) => n !== '0.0.0.0' && n !== '::').map((n) => withPort(n, port)));
}

/** Why a request is refused before any session is looked at (with the HTTP status), or undefined. */
export function originRefusal(req: IncomingMessage, allowed: ReadonlySet<string>, scheme: Scheme): { status: number; message: string } | undefined {
  if (!allowed.has((req.headers.host ?? '').toLowerCase())) return { status: 421, message: 'this server does not answer to that host name' };
  const origin = req.headers.origin;
  const prefix = `${scheme}://`;
  if (origin !== undefined && !(origin.startsWith(prefix) && allowed.has(origin.slice(prefix.length).toLowerCase()))) {
    return { status: 403, message: 'requests from other sites are refused' };
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
