// Sign-in for browser mode on a network, over the open workspace's access tokens: the serve host
// asks here whether an invite token lets someone in (and as whom), and re-asks on every request
// whether that is still so (the token may have expired, been revoked, or the workspace changed).
// The host keeps its sessions; tokens and people live in the workspace.

import type { AccessTokenRecord, AnnotatorRecord, Workspace } from '../store/index';
import type { Caller } from './handler-types';

export interface SignedIn {
  tokenId: number;
  caller: Caller;
  /** The workspace the token belongs to: a session does not survive a switch to another one. */
  workspaceDir: string;
  /** When the token itself expires (a session never outlives it). */
  tokenExpiresAt: string;
}

export type SignInResult = { ok: true; signedIn: SignedIn } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

export const callerOf = (a: Pick<AnnotatorRecord, 'id' | 'name' | 'role'>): Caller => ({ annotatorId: a.id, name: a.name, role: a.role });
const tokenCaller = (t: AccessTokenRecord): Caller => ({ annotatorId: t.annotatorId, name: t.name, role: t.role });

export class AccessGate {
  constructor(private readonly workspace: () => Workspace) {}

  signIn(token: string, now: Date = new Date()): SignInResult {
    const ws = this.workspace();
    const checked = ws.access.check(token, now);
    if (!checked.ok) return { ok: false, reason: checked.reason };
    return { ok: true, signedIn: { tokenId: checked.token.id, caller: tokenCaller(checked.token), workspaceDir: ws.dir, tokenExpiresAt: checked.token.expiresAt } };
  }

  /** The caller a session still stands for, or undefined when it must sign in again. */
  recheck(session: SignedIn, now: Date = new Date()): Caller | undefined {
    const ws = this.workspace();
    if (ws.dir !== session.workspaceDir) return undefined;
    const token = ws.access.get(session.tokenId);
    if (!token || token.revokedAt !== null || Date.parse(token.expiresAt) <= now.getTime()) return undefined;
    return tokenCaller(token);
  }

  /** Whether anyone could sign in as an owner (an active owner invite exists). */
  ownerCanSignIn(now: Date = new Date()): boolean {
    return this.workspace().access.hasActiveOwnerToken(now);
  }
}
