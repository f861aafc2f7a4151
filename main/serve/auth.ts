// Who a browser-mode request comes from. Two ways, chosen when the server starts:
//   - the session key (loopback, the default): one random key printed with the address; whoever
//     holds it is the workspace's owner. It keeps other accounts on this computer out.
//   - sign-in (any network address, or `--require-sign-in`): each person opens their own invite link
//     (`lontar access invite`), which is exchanged for a session bound to them and their role.
// Both arrive once in the address's fragment (never sent to a server, never in a log); the page
// posts them to /sign-in, same-origin (sign-in-page.ts), and an HttpOnly, SameSite=Strict cookie
// carries the session from then on.

import type { IncomingMessage } from 'node:http';
import type { Caller, LontarService } from '../api/index';
import { cookie, sameToken, sessionCookieName } from './security';
import { SessionStore, type SessionLimits } from './sessions';

export interface Identity {
  /** The signed-in person; undefined for the local owner (the service then acts as its owner). */
  caller?: Caller;
  /** Who, for the request log. */
  user: string;
}

/** 401: not a valid key or invite (counts as a failed try); 409: this browser is someone else's session; 429: a session cap. */
export type Exchange = { ok: true; setCookie: string; user: string } | { ok: false; status: 401 | 409 | 429; message: string; user?: string };

export interface Auth {
  readonly signInRequired: boolean;
  /** The fragment field (and /sign-in body field) that carries a key or invite once. */
  readonly parameter: 'token' | 'invite';
  identify(req: IncomingMessage, now?: number): Identity | undefined;
  /** `current` is who the request's cookie already signs in, if anyone. */
  exchange(offered: string, current?: Identity, now?: number): Exchange;
  /** Ends the sessions signed in with this invite (revoked while serving); returns how many. */
  endSessions(workspaceDir: string, tokenId: number): number;
  /** Why a request without a valid session is refused (the 401 text). */
  readonly howToSignIn: string;
}

/** Over HTTPS the cookie is also Secure: a browser never sends it back over plain HTTP. */
const cookieAttributes = (secure: boolean) => `HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
const shownCaller = (c: Caller) => `${c.name}#${c.annotatorId} (${c.role})`;

export class SessionKeyAuth implements Auth {
  readonly signInRequired = false;
  readonly parameter = 'token';
  readonly howToSignIn = 'open the address printed by `lontar serve`: it carries the key of this session';

  constructor(
    private readonly port: () => number,
    private readonly key: string,
    private readonly secure = false,
  ) {}

  identify(req: IncomingMessage): Identity | undefined {
    return sameToken(cookie(req, sessionCookieName(this.port())), this.key) ? { user: 'owner (session key)' } : undefined;
  }

  exchange(offered: string): Exchange {
    if (!sameToken(offered, this.key)) return { ok: false, status: 401, message: 'this session key is not valid for this server; open the address `lontar serve` printed' };
    return { ok: true, setCookie: `${sessionCookieName(this.port())}=${this.key}; ${cookieAttributes(this.secure)}`, user: 'owner (session key)' };
  }

  endSessions(): number {
    return 0; // nobody signs in with an invite here
  }
}

export class InviteAuth implements Auth {
  readonly signInRequired = true;
  readonly parameter = 'invite';
  readonly howToSignIn = 'sign in first: open the invite link you were given (`lontar access invite` makes one)';
  private readonly sessions: SessionStore;

  constructor(
    private readonly port: () => number,
    private readonly service: LontarService,
    sessionMs?: number,
    private readonly secure = false,
    limits?: SessionLimits,
  ) {
    this.sessions = new SessionStore(sessionMs, limits);
  }

  identify(req: IncomingMessage, now: number = Date.now()): Identity | undefined {
    const id = cookie(req, sessionCookieName(this.port()));
    const session = this.sessions.find(id, now);
    if (!session) return undefined;
    // Re-read on every request: a revoked or expired token, or another workspace, ends the session.
    const caller = this.service.access.recheck(session.signedIn, new Date(now));
    if (!caller) {
      this.sessions.end(id!);
      return undefined;
    }
    return { caller, user: shownCaller(caller) };
  }

  exchange(offered: string, current?: Identity, now: number = Date.now()): Exchange {
    const result = offered.length > 200 ? ({ ok: false, reason: 'unknown' } as const) : this.service.access.signIn(offered, new Date(now));
    if (!result.ok) {
      const why = { unknown: 'is not valid for this workspace', expired: 'has expired', revoked: 'has been revoked' }[result.reason];
      return { ok: false, status: 401, message: `this invite ${why}; ask the workspace's owner for a new one` };
    }
    const user = shownCaller(result.signedIn.caller);
    // Never swap a person's session for another's (a planted link is the classic login CSRF).
    if (current?.caller && current.caller.annotatorId !== result.signedIn.caller.annotatorId) {
      return { ok: false, status: 409, user, message: `this browser is signed in as ${current.caller.name}; to sign in as someone else use another browser profile, or clear this site's cookies first` };
    }
    const created = this.sessions.create(result.signedIn, now);
    if (!created.ok) return { ok: false, status: 429, user, message: created.message };
    const { id, session } = created;
    const maxAge = Math.max(0, Math.floor((session.expiresAt - now) / 1000));
    return { ok: true, setCookie: `${sessionCookieName(this.port())}=${id}; ${cookieAttributes(this.secure)}; Max-Age=${maxAge}`, user };
  }

  endSessions(workspaceDir: string, tokenId: number): number {
    return this.sessions.endSignedIn(workspaceDir, tokenId);
  }
}
