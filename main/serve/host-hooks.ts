// What a running `lontar serve` tells the service's handlers (HostHooks): the address invite links
// point at, and a way to end one invite's live sessions when the owner revokes it in the People
// panel (the sessions and their event sockets live here, in the host, not in the workspace).

import { networkInterfaces } from 'node:os';
import type { HostHooks } from '../api/index';
import type { Auth } from './auth';
import type { EventSockets } from './events-socket';
import type { Scheme } from './security';

/** A host as it goes in an address: IPv6 in brackets. */
export const shownHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/**
 * The addresses other machines can use, as the start-up message lists them: the one it listens on,
 * or for 0.0.0.0 / :: each of this machine's network (IPv4) addresses; empty when it has none.
 */
export function networkAddresses(bind: string, port: number, scheme: Scheme): string[] {
  if (bind !== '0.0.0.0' && bind !== '::') return [`${scheme}://${shownHost(bind)}:${port}/`];
  const found = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && a.family === 'IPv4');
  return found.map((a) => `${scheme}://${a.address}:${port}/`);
}

/** Where invite links point: the first network address, or loopback on a machine without one. */
export const advertisedBase = (bind: string, port: number, scheme: Scheme): string =>
  networkAddresses(bind, port, scheme)[0] ?? `${scheme}://127.0.0.1:${port}/`;

export function serveHostHooks(auth: Auth, sockets: EventSockets, base: () => string): HostHooks {
  return {
    inviteBase: () =>
      auth.signInRequired
        ? { base: base() }
        : {
            base: null,
            why: 'this server is on loopback with a session key, where nobody signs in with an invite. Restart it with `lontar serve --host 0.0.0.0` (or --require-sign-in) and give the person that address followed by /#invite= and the token',
          },
    endSessions: (workspaceDir, tokenId) => {
      const ended = auth.endSessions(workspaceDir, tokenId);
      // Their event sockets close now too (the token is already revoked, so they no longer identify).
      sockets.revalidate();
      return ended;
    },
  };
}
