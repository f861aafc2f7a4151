// Access calls (the People panel): who is in this workspace with which role, their invites, and
// inviting or revoking while the workspace is open (the desktop app, or `lontar serve` running; the
// `lontar access` commands need the workspace to themselves). Owner-only: none of these is on the
// annotator list (access-policy.ts). An invite's token is returned once, by access.invite; the
// workspace keeps only its hash, and access.list never shows it.

import { z } from 'zod';
import { id, noArguments, timestamp } from './common';

export const accessRole = z.enum(['owner', 'annotator']);
export type AccessRole = z.infer<typeof accessRole>;

/** Longest an invite may stay valid (the CLI's limit too). */
export const MAX_INVITE_HOURS = 366 * 24;

export const accessInvite = z.object({
  id,
  annotatorId: id,
  name: z.string(),
  role: accessRole,
  createdAt: timestamp,
  expiresAt: timestamp,
  revokedAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
  state: z.enum(['active', 'expired', 'revoked']),
});
export type AccessInvite = z.infer<typeof accessInvite>;

export const accessPerson = z.object({
  annotatorId: id,
  name: z.string(),
  role: accessRole,
  createdAt: timestamp,
  /** The desktop app's and loopback browser mode's own row (it signs in without an invite). */
  localOwner: z.boolean(),
});
export type AccessPerson = z.infer<typeof accessPerson>;

export const accessCalls = {
  'access.list': { request: noArguments, response: z.object({ people: z.array(accessPerson), invites: z.array(accessInvite) }) },
  'access.invite': {
    request: z.strictObject({
      name: z.string().trim().min(1, 'a name is required').max(64, 'at most 64 characters'),
      role: accessRole,
      /** How long the link stays valid. */
      expiresInHours: z.number().positive().max(MAX_INVITE_HOURS, `at most ${MAX_INVITE_HOURS} hours (a year)`),
    }),
    response: z.object({
      invite: accessInvite,
      /** Shown this once; the workspace keeps only its hash. */
      token: z.string(),
      /** The link to give the person, when this host serves the network with sign-in; else null. */
      link: z.string().nullable(),
      /** Why there is no link, and how to make one from the token (null when there is a link). */
      linkNote: z.string().nullable(),
    }),
  },
  'access.revoke': {
    request: z.strictObject({ id }),
    /** `sessionsEnded`: the live sign-ins on this server the revocation ended (0 in the desktop app). */
    response: z.object({ invite: accessInvite, sessionsEnded: z.number().int().nonnegative() }),
  },
} as const;
