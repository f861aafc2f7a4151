// What a running `lontar serve` tells the service's handlers (HostHooks): the address invite links
// point at, and a way to end one invite's live sessions when the owner revokes it in the People
// panel (the sessions and their event sockets live here, in the host, not in the workspace).

import { networkInterfaces } from 'node:os';
import type { HostHooks } from '../api/index';
import type { Auth } from './auth';
import type { EventSockets } from './events-socket';

const shownHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/**
 * Where people on the network reach this server: the address it listens on, or for 0.0.0.0 / ::
 * this machine's first network (IPv4) address, as the start-up message lists them.
 */
export function advertisedBase(bind: string, port: number): string {
  if (bind !== '0.0.0.0' && bind !== '::') return `http://${shownHost(bind)}:${port}/`;
  const address = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .find((a) => !a.internal && a.family === 'IPv4')?.address;
  return `http://${address ?? '127.0.0.1'}:${port}/`;
}

export function serveHostHooks(auth: Auth, sockets: EventSockets, base: () => string): HostHooks {
  return {
    inviteBase: () =>
      auth.signInRequired
        ? { base: base() }
        : {
            base: null,
            why: 'this server is on loopback with a session key, where nobody signs in with an invite. Restart it with `lontar serve --host 0.0.0.0` (or --require-sign-in) and give the person that address followed by /?invite= and the token',
          },
    endSessions: (workspaceDir, tokenId) => {
      const ended = auth.endSessions(workspaceDir, tokenId);
      // Their event sockets close now too (the token is already revoked, so they no longer identify).
      sockets.revalidate();
      return ended;
    },
  };
}
