// Signed-in browsers on a network: an invite token is exchanged once for a session, and from then on
// a cookie carries a random session id. Sessions live in this process only (a restart signs everyone
// out; their invite links still work) and end at a fixed time: the configured length, or the
// token's own expiry when that comes first. The map is keyed by the id's hash, so looking one up
// takes the same time whatever the guess. Live sessions are capped per invite, per person and in
// all; a sign-in over a cap is refused, never made room for by ending someone else's session (one
// annotator's invite must not be able to sign everyone out).

import { createHash, randomBytes } from 'node:crypto';
import type { SignedIn } from '../api/index';

export const DEFAULT_SESSION_MS = 12 * 60 * 60 * 1000;

/** A person may sign in from a few browsers and devices; far more means a leaked or scripted invite. */
export interface SessionLimits {
  perInvite: number;
  perPerson: number;
  total: number;
}
export const DEFAULT_SESSION_LIMITS: SessionLimits = { perInvite: 10, perPerson: 20, total: 1000 };

export type Created = { ok: true; id: string; session: Session } | { ok: false; message: string };

export interface Session {
  signedIn: SignedIn;
  expiresAt: number;
}

const keyOf = (id: string): string => createHash('sha256').update(id).digest('hex');

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly lengthMs: number = DEFAULT_SESSION_MS,
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  /** Starts a session (the id for the cookie and when it ends), or says which cap refused it. */
  create(signedIn: SignedIn, now: number = Date.now()): Created {
    this.prune(now);
    const full = this.fullCap(signedIn);
    if (full) return { ok: false, message: full };
    const id = randomBytes(32).toString('base64url');
    const session = { signedIn, expiresAt: Math.min(now + this.lengthMs, Date.parse(signedIn.tokenExpiresAt)) };
    this.sessions.set(keyOf(id), session);
    return { ok: true, id, session };
  }

  private fullCap(signedIn: SignedIn): string | undefined {
    let [invite, person] = [0, 0];
    for (const { signedIn: s } of this.sessions.values()) {
      if (s.workspaceDir !== signedIn.workspaceDir) continue;
      if (s.tokenId === signedIn.tokenId) invite += 1;
      if (s.caller.annotatorId === signedIn.caller.annotatorId) person += 1;
    }
    const later = "wait until one ends, or ask the workspace's owner to revoke the invite and make a new one";
    if (invite >= this.limits.perInvite) return `this invite already has ${invite} live sessions (the most allowed); ${later}`;
    if (person >= this.limits.perPerson) return `${signedIn.caller.name} already has ${person} live sessions (the most allowed); ${later}`;
    if (this.sessions.size >= this.limits.total) return `the server already has ${this.sessions.size} live sessions (the most allowed); try again later`;
    return undefined;
  }

  /** The live session for a cookie value, or undefined (unknown or over). */
  find(id: string | undefined, now: number = Date.now()): Session | undefined {
    if (!id || id.length > 100) return undefined;
    const key = keyOf(id);
    const session = this.sessions.get(key);
    if (session && session.expiresAt <= now) {
      this.sessions.delete(key);
      return undefined;
    }
    return session;
  }

  end(id: string): void {
    this.sessions.delete(keyOf(id));
  }

  /** Ends every session signed in with this invite of this workspace (it was revoked); returns how many. */
  endSignedIn(workspaceDir: string, tokenId: number): number {
    let ended = 0;
    for (const [key, s] of this.sessions) {
      if (s.signedIn.tokenId !== tokenId || s.signedIn.workspaceDir !== workspaceDir) continue;
      this.sessions.delete(key);
      ended += 1;
    }
    return ended;
  }

  get size(): number {
    return this.sessions.size;
  }

  private prune(now: number): void {
    for (const [key, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(key);
  }
}
