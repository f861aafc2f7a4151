// Who may sign in to browser mode on a network: invite tokens, one or more per person (an annotators
// row), each with an expiry and an optional revocation. A token is shown once, when it is created;
// the database keeps only its sha256 hash, so a copied workspace gives nobody a way in. Tokens are
// 32 random bytes, so a plain hash (no salt, no slow KDF) is enough: there is nothing to guess.
// The local owner (desktop app, loopback browser mode) is the annotators row named "owner".

import type { Database } from 'better-sqlite3';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { durableTransaction } from '../connection';
import type { AnnotatorRecord, AnnotatorRole } from './annotations';

/** The annotators row the desktop app and loopback browser mode act as. */
export const LOCAL_OWNER_NAME = 'owner';
const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,63}$/u;

export interface AccessTokenRecord {
  id: number;
  annotatorId: number;
  name: string;
  role: AnnotatorRole;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export type AccessTokenState = 'active' | 'expired' | 'revoked';

export interface NewInvite {
  name: string;
  role: AnnotatorRole;
  expiresAt: Date;
}

export type TokenCheck =
  | { ok: true; token: AccessTokenRecord }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked'; token?: AccessTokenRecord };

/** A refused invite (a bad name, a person who already has another role, an expiry in the past). */
export class AccessError extends Error {
  override name = 'AccessError';
}

const COLUMNS = `t.id, t.annotator_id AS annotatorId, a.name, a.role, t.created_at AS createdAt, t.expires_at AS expiresAt,
  t.revoked_at AS revokedAt, t.last_used_at AS lastUsedAt`;
const FROM = 'FROM access_tokens t JOIN annotators a ON a.id = t.annotator_id';

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function tokenState(token: Pick<AccessTokenRecord, 'expiresAt' | 'revokedAt'>, now: Date = new Date()): AccessTokenState {
  if (token.revokedAt !== null) return 'revoked';
  return Date.parse(token.expiresAt) <= now.getTime() ? 'expired' : 'active';
}

export class AccessRepository {
  constructor(private readonly db: Database) {}

  /** The local owner's annotators row, created on first use. */
  localOwner(): AnnotatorRecord {
    const found = this.annotatorNamed(LOCAL_OWNER_NAME);
    if (found) return found;
    this.db.prepare('INSERT INTO annotators (name, role) VALUES (?, ?)').run(LOCAL_OWNER_NAME, 'owner');
    return this.annotatorNamed(LOCAL_OWNER_NAME)!;
  }

  annotator(id: number): AnnotatorRecord | undefined {
    return this.db.prepare('SELECT id, name, role, created_at AS createdAt FROM annotators WHERE id = ?').get(id) as AnnotatorRecord | undefined;
  }

  /**
   * Creates an invite for `name` (a new annotators row, or the existing one when the role matches)
   * and returns the token: the only time it exists outside the invitee's hands.
   */
  invite(invite: NewInvite, now: Date = new Date()): { token: string; record: AccessTokenRecord } {
    const name = invite.name.trim();
    if (!NAME_PATTERN.test(name)) {
      throw new AccessError(`"${invite.name}" is not a usable name: 1–64 letters, digits, spaces, dots, apostrophes, hyphens or underscores, starting with a letter or digit`);
    }
    if (name === LOCAL_OWNER_NAME && invite.role !== 'owner') throw new AccessError(`"${LOCAL_OWNER_NAME}" is the workspace owner's own name; choose another name for an annotator`);
    if (!(invite.expiresAt.getTime() > now.getTime())) throw new AccessError('an invite must expire in the future');
    const token = randomBytes(32).toString('base64url');
    const id = durableTransaction(this.db, () => {
      const existing = this.annotatorNamed(name);
      if (existing && existing.role !== invite.role) {
        throw new AccessError(`${name} is already in this workspace as ${existing.role === 'owner' ? 'an owner' : 'an annotator'}; invite them with that role, or choose another name`);
      }
      const annotatorId = existing?.id ?? Number(this.db.prepare('INSERT INTO annotators (name, role) VALUES (?, ?)').run(name, invite.role).lastInsertRowid);
      return Number(
        this.db
          .prepare('INSERT INTO access_tokens (annotator_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)')
          .run(annotatorId, hashToken(token), now.toISOString(), invite.expiresAt.toISOString()).lastInsertRowid,
      );
    });
    return { token, record: this.get(id)! };
  }

  get(id: number): AccessTokenRecord | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE t.id = ?`).get(id) as AccessTokenRecord | undefined;
  }

  list(): AccessTokenRecord[] {
    return this.db.prepare(`SELECT ${COLUMNS} ${FROM} ORDER BY t.id`).all() as AccessTokenRecord[];
  }

  /** Revokes a token (idempotent: the first revocation time stays); throws when there is none. */
  revoke(id: number, now: Date = new Date()): AccessTokenRecord {
    durableTransaction(this.db, () => {
      const { changes } = this.db.prepare('UPDATE access_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(now.toISOString(), id);
      if (changes === 0) throw new AccessError(`there is no access token ${id} in this workspace (see \`lontar access list\`)`);
    });
    return this.get(id)!;
  }

  /** Finds the token a person presents and says whether it lets them in; records the sign-in (last_used_at) when it does. */
  check(token: string, now: Date = new Date()): TokenCheck {
    const hash = hashToken(token);
    // The lookup is by hash, so its timing tells nothing about the token; the final comparison is
    // constant-time anyway, should an index ever match loosely.
    const found = this.db.prepare(`SELECT ${COLUMNS}, t.token_hash AS tokenHash ${FROM} WHERE t.token_hash = ?`).get(hash) as
      | (AccessTokenRecord & { tokenHash: string })
      | undefined;
    if (!found || !timingSafeEqual(Buffer.from(found.tokenHash), Buffer.from(hash))) return { ok: false, reason: 'unknown' };
    const { tokenHash: _, ...record } = found;
    const state = tokenState(record, now);
    if (state !== 'active') return { ok: false, reason: state, token: record };
    this.db.prepare('UPDATE access_tokens SET last_used_at = ? WHERE id = ?').run(now.toISOString(), record.id);
    return { ok: true, token: { ...record, lastUsedAt: now.toISOString() } };
  }

  /** Whether someone can sign in as an owner over the network (an active owner token exists). */
  hasActiveOwnerToken(now: Date = new Date()): boolean {
    const row = this.db
      .prepare(`SELECT count(*) AS n ${FROM} WHERE a.role = 'owner' AND t.revoked_at IS NULL AND t.expires_at > ?`)
      .get(now.toISOString()) as { n: number };
    return row.n > 0;
  }

  private annotatorNamed(name: string): AnnotatorRecord | undefined {
    return this.db.prepare('SELECT id, name, role, created_at AS createdAt FROM annotators WHERE name = ?').get(name) as AnnotatorRecord | undefined;
  }
}
