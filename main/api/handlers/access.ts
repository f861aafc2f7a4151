// access.list, access.invite, access.revoke: the People panel, over the open workspace's access
// tokens (store/repositories/access.ts), so the owner can invite and revoke while the workspace is
// open. Owner-only by the access policy. A revocation also tells the serving host (ctx.hostHooks) to
// end that invite's live sessions at once, not at the person's next request.

import { AccessError, LOCAL_OWNER_NAME, tokenState, type AccessTokenRecord } from '../../store/index';
import { ApiError, type AccessInvite } from '../contract/index';
import { notFound } from '../error-mapping';
import type { Handlers } from '../handler-types';

const view = (t: AccessTokenRecord, now: Date = new Date()): AccessInvite => ({ ...t, state: tokenState(t, now) });

/** The store's refusals (a bad name, a name taken with the other role) are the owner's to fix. */
function refusedAsRejected<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AccessError) throw new ApiError('rejected', e.message);
    throw e;
  }
}

export const accessHandlers: Handlers = {
  'access.list': (ctx) => {
    const now = new Date();
    return {
      people: ctx.ws.annotations.annotators().map((a) => ({
        annotatorId: a.id,
        name: a.name,
        role: a.role,
        createdAt: a.createdAt,
        localOwner: a.name === LOCAL_OWNER_NAME,
      })),
      invites: ctx.ws.access.list().map((t) => view(t, now)),
    };
  },
  'access.invite': (ctx, req) => {
    const expiresAt = new Date(Date.now() + req.expiresInHours * 3_600_000);
    const { token, record } = refusedAsRejected(() => ctx.ws.access.invite({ name: req.name, role: req.role, expiresAt }));
    const where = ctx.hostHooks.inviteBase();
    return {
      invite: view(record),
      token,
      link: where.base === null ? null : `${where.base}#invite=${token}`,
      linkNote: where.base === null ? where.why : null,
    };
  },
  'access.revoke': (ctx, req) => {
    if (!ctx.ws.access.get(req.id)) throw notFound(`invite ${req.id}`);
    const record = refusedAsRejected(() => ctx.ws.access.revoke(req.id));
    const sessionsEnded = ctx.hostHooks.endSessions(ctx.ws.dir, record.id);
    return { invite: view(record), sessionsEnded };
  },
};
