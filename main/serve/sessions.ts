// Signed-in browsers on a network: an invite token is exchanged once for a session, and from then on
// a cookie carries a random session id. Sessions live in this process only (a restart signs everyone
// out; their invite links still work) and end at a fixed time: the configured length, or the
// token's own expiry when that comes first. The map is keyed by the id's hash, so looking one up
// takes the same time whatever the guess.

import { createHash, randomBytes } from 'node:crypto';
import type { SignedIn } from '../api/index';

export const DEFAULT_SESSION_MS = 12 * 60 * 60 * 1000;
/** More live sessions than this means something is wrong; the oldest go first. */
const MAX_SESSIONS = 1000;

export interface Session {
  signedIn: SignedIn;
  expiresAt: number;
}

const keyOf = (id: string): string => createHash('sha256').update(id).digest('hex');

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly lengthMs: number = DEFAULT_SESSION_MS) {}

  /** Starts a session; returns the id for the cookie and when it ends. */
  create(signedIn: SignedIn, now: number = Date.now()): { id: string; session: Session } {
    this.prune(now);
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const session = { signedIn, expiresAt: Math.min(now + this.lengthMs, Date.parse(signedIn.tokenExpiresAt)) };
    this.sessions.set(keyOf(id), session);
    return { id, session };
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
