// The page a browser gets without a session, and the one exchange that makes a session. An invite
// link (or the loopback address `lontar serve` prints) carries its secret in the fragment,
// `#invite=TOKEN` or `#token=KEY`: browsers never send a fragment to a server, so it stays out of
// logs and Referer headers. This page's script takes it out of the address bar and POSTs it to
// /sign-in as JSON, same-origin; the server refuses other origins, other content types (which a
// cross-site form cannot send) and a sign-in that would replace another person's session.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendText } from './api-route';
import { SECURITY_HEADERS } from './security';

export const SIGN_IN_PATH = '/sign-in';
export const SIGN_IN_SCRIPT_PATH = '/sign-in.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Served with the 401 for `/` without a session; the script does the rest. */
export function signInPage(parameter: 'invite' | 'token', howToSignIn: string): string {
  return [
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Lontar: sign in</title>',
    `<body data-parameter="${parameter}"><h1>Lontar</h1><p id="message">${escapeHtml(howToSignIn)}</p>`,
    `<script src="${SIGN_IN_SCRIPT_PATH}"></script></body></html>`,
  ].join('\n');
}

export const SIGN_IN_SCRIPT = `// Lontar sign-in: the key or invite is in the fragment, which never leaves this browser but here.
(() => {
  const message = document.getElementById('message');
  const field = document.body.dataset.parameter;
  const value = new URLSearchParams(location.hash.slice(1)).get(field);
  if (!value) return;
  history.replaceState(null, '', location.pathname);
  message.textContent = 'Signing in…';
  fetch('${SIGN_IN_PATH}', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ [field]: value }) })
    .then(async (r) => (r.ok ? location.replace('/') : (message.textContent = await r.text())))
    .catch((e) => (message.textContent = 'Could not reach the server: ' + e.message));
})();
`;

export function sendSignInPage(res: ServerResponse, parameter: 'invite' | 'token', howToSignIn: string): void {
  res.writeHead(401, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(signInPage(parameter, howToSignIn));
}

export function sendSignInScript(res: ServerResponse): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(SIGN_IN_SCRIPT);
}

/** The secret a /sign-in POST offers, or the refusal already sent (wrong method, type or body). */
export async function readOffer(req: IncomingMessage, res: ServerResponse, parameter: 'invite' | 'token'): Promise<string | undefined> {
  if (req.method !== 'POST') return void sendText(res, 405, 'sign in with POST (open the link you were given)', { Allow: 'POST' });
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return void sendText(res, 415, 'sign-in must be application/json');
  const body = await readBody(req, 1024);
  let offered: unknown;
  try {
    offered = body === undefined ? undefined : (JSON.parse(body) as Record<string, unknown>)[parameter];
  } catch {
    offered = undefined;
  }
  if (typeof offered !== 'string' || offered === '') return void sendText(res, 400, `sign-in needs {"${parameter}": "…"}`);
  return offered;
}
