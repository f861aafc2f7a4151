// `lontar access invite|list|revoke`: who may sign in to browser mode on a network. An invite is a
// link with a token for one named person and role; the token is printed once and stored only as a
// hash. These commands take the workspace's writer lock, so run them while `lontar serve` is
// stopped (stopping it also ends every session; invite links keep working after a restart). While
// it runs, an owner uses the People view (#/people; the access.* API calls) instead.
// Exit codes: 0 done, 2 usage or a refused invite, 3 workspace unavailable.

import type { Command } from 'commander';
import { advertisedBase } from '../../serve/index';
import { AccessError, tokenState, Workspace, type AccessTokenRecord } from '../../store/index';
import { CliError, emit } from '../output';
import { DEFAULT_SERVE_PORT } from './serve';
import { WORKSPACE_HELP, withWorkspaceErrors, workspaceDir } from './workspace';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const MAX_EXPIRY_MS = 366 * 86_400_000;

/** "7d", "12h", "30m", "2w" → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([mhdw])$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
  if (!(ms > 0 && ms <= MAX_EXPIRY_MS)) throw new CliError(`--expires must be a duration such as 30m, 12h, 7d or 2w (at most a year), got "${text}"`);
  return ms;
}

/** Where invitees will reach the server: the first network address, on the default port, plain HTTP. */
const defaultBaseUrl = (): string => advertisedBase('0.0.0.0', DEFAULT_SERVE_PORT, 'http');

export function inviteLink(base: string, token: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new CliError(`--url must be the server's address, such as http://192.168.1.20:${DEFAULT_SERVE_PORT}, got "${base}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--url must be an http:// or https:// address (https when serving with --tls-cert), got "${base}"`);
  return `${url.origin}/#invite=${token}`;
}

function withAccess<T>(dir: string | undefined, fn: (ws: Workspace) => T, create = false): Promise<T> {
  return withWorkspaceErrors(() => {
    const ws = Workspace.open(workspaceDir(dir), { create });
    try {
      return fn(ws);
    } catch (e) {
      if (e instanceof AccessError) throw new CliError(e.message, 2);
      throw e;
    } finally {
      ws.close();
    }
  });
}

const row = (t: AccessTokenRecord) =>
  `${String(t.id).padStart(4)}  ${t.name.padEnd(20)} ${t.role.padEnd(9)} ${tokenState(t).padEnd(8)} expires ${t.expiresAt}  last sign-in ${t.lastUsedAt ?? 'never'}`;

export function registerAccess(program: Command): void {
  const group = program.command('access').description('invites and sign-in for `lontar serve` on a network');

  group
    .command('invite')
    .description('create an invite link for one person (the token is shown only now)')
    .argument('<name>', "the person's name, as it will appear in reviews and the request log")
    .requiredOption('--role <role>', 'annotator (review only) or owner (everything)')
    .option('--expires <duration>', 'how long the invite stays valid: 30m, 12h, 7d, 2w', '7d')
    .option('--url <address>', 'the address people reach `lontar serve` at (default: this machine\'s network address, port 5183)')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--json', 'machine-readable output')
    .action((name: string, opts: { role: string; expires: string; url?: string; workspace?: string; json?: boolean }) => {
      if (opts.role !== 'annotator' && opts.role !== 'owner') throw new CliError(`--role must be annotator or owner, got "${opts.role}"`);
      const role = opts.role;
      const expiresAt = new Date(Date.now() + parseDuration(opts.expires));
      const base = opts.url ?? defaultBaseUrl();
      inviteLink(base, 'check'); // a bad --url fails before anything is written
      return withAccess(opts.workspace, (ws) => {
        const { token, record } = ws.access.invite({ name, role, expiresAt });
        const link = inviteLink(base, token);
        emit(Boolean(opts.json), { ...record, link }, () =>
          [
            `invite ${record.id} for ${record.name} (${record.role}), valid until ${record.expiresAt}:`,
            `  ${link}`,
            'Give this link to that person only: it signs them in. It is not shown again; revoke it with',
            `\`lontar access revoke ${record.id}\`.`,
          ].join('\n'),
        );
      }, true); // inviting is often the first thing done with a new workspace
    });

  group
    .command('list')
    .description('every invite with its person, role, state and last use (never the tokens)')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--json', 'machine-readable output')
    .action((opts: { workspace?: string; json?: boolean }) =>
      withAccess(opts.workspace, (ws) => {
        const tokens = ws.access.list();
        emit(Boolean(opts.json), tokens.map((t) => ({ ...t, state: tokenState(t) })), () =>
          tokens.length === 0 ? 'no invites yet; create one with `lontar access invite NAME --role annotator`' : tokens.map(row).join('\n'),
        );
      }),
    );

  group
    .command('revoke')
    .description('revoke an invite: its link stops working at once')
    .argument('<id>', 'the invite id from `lontar access list`')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--json', 'machine-readable output')
    .action((id: string, opts: { workspace?: string; json?: boolean }) => {
      const n = Number(id);
      if (!Number.isInteger(n) || n <= 0) throw new CliError(`the invite id must be a positive integer, got "${id}"`);
      return withAccess(opts.workspace, (ws) => {
        const record = ws.access.revoke(n);
        emit(Boolean(opts.json), record, () => `invite ${record.id} for ${record.name} is revoked (since ${record.revokedAt})`);
      });
    });
}
