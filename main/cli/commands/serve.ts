// `lontar serve`: the workbench in a browser, for machines where the desktop app cannot run (a lab
// server, a machine without a display for Electron), or for annotators on the lab's network. It owns
// the workspace like the desktop app does (writer lock, job lanes). On loopback (the default) the
// printed address carries a session key; on any other address everyone signs in with an invite from
// `lontar access invite`, and the server refuses to start until an owner invite exists. Ctrl-C stops
// the running jobs at a checkpoint (resumable) and closes the workspace.

import type { Command } from 'commander';
import { LontarService } from '../../api/index';
import {
  DEFAULT_SESSION_MS,
  ensureRendererBuilt,
  isLoopback,
  networkAddresses,
  readTlsFiles,
  RENDERER_OUT,
  REQUEST_LOG,
  SignInNotConfiguredError,
  startBrowserHost,
  TlsSetupError,
} from '../../serve/index';
import { NotAWorkspaceError, Workspace } from '../../store/index';
import { CliError } from '../output';
import { WORKSPACE_HELP, withWorkspaceErrors, workspaceDir } from './workspace';

interface ServeFlags {
  workspace?: string;
  port: string;
  host: string;
  build: boolean;
  threads?: string;
  requireSignIn?: boolean;
  sessionHours: string;
  allowHost?: string[];
  tlsCert?: string;
  tlsKey?: string;
}

export const DEFAULT_SERVE_PORT = 5183;

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--port must be a port number (0 for any free port), got "${value}"`);
  return n;
}

/** Whether the workspace has an active owner invite: false when it has none or does not exist yet. */
function ownerCanSignIn(dir: string): boolean | undefined {
  try {
    const ws = Workspace.open(dir, { readonly: true });
    try {
      return ws.access.hasActiveOwnerToken();
    } finally {
      ws.close();
    }
  } catch (e) {
    if (e instanceof NotAWorkspaceError) return false;
    return undefined; // e.g. a schema upgrade is due: the service opens it and checks again
  }
}

/** The certificate and key from --tls-cert/--tls-key (both or neither), checked; undefined for plain HTTP. */
function tlsFromFlags(flags: ServeFlags) {
  if (!flags.tlsCert && !flags.tlsKey) return undefined;
  if (!flags.tlsCert || !flags.tlsKey) throw new CliError('--tls-cert and --tls-key go together: give the certificate and its private key (PEM files)', 2);
  try {
    return readTlsFiles(flags.tlsCert, flags.tlsKey);
  } catch (e) {
    if (e instanceof TlsSetupError) throw new CliError(e.message, 2);
    throw e;
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('open the workbench in a web browser: on this computer, or with sign-in for others on the network')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--port <n>', 'port to listen on (0: any free port)', String(DEFAULT_SERVE_PORT))
    .option('--host <address>', 'address to listen on: loopback (127.0.0.1, localhost, ::1) or a network address such as 0.0.0.0, which requires sign-in', '127.0.0.1')
    .option('--require-sign-in', 'require invite sign-in even on loopback (always required on a network address)')
    .option('--session-hours <n>', 'how long a sign-in lasts', String(DEFAULT_SESSION_MS / 3_600_000))
    .option('--allow-host <name...>', 'extra host names browsers may use to reach this server (e.g. a DNS name)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key): invites and sessions then never cross the network in clear text')
    .option('--tls-key <file>', "the certificate's PEM private key (unencrypted)")
    .option('--no-build', 'serve the renderer as built, even if its sources changed')
    .option('--threads <n>', 'engine threads per job (default: all cores)')
    .action(async (flags: ServeFlags) => {
      const threads = flags.threads === undefined ? undefined : Number(flags.threads);
      if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) throw new CliError(`--threads must be a positive integer, got "${flags.threads}"`);
      const sessionHours = Number(flags.sessionHours);
      if (!(Number.isFinite(sessionHours) && sessionHours > 0 && sessionHours <= 24 * 30)) throw new CliError(`--session-hours must be a number of hours above 0 (at most 720), got "${flags.sessionHours}"`);
      const signIn = Boolean(flags.requireSignIn) || !isLoopback(flags.host);
      const dir = workspaceDir(flags.workspace);
      // Refuse before building or opening anything: serving the network without sign-in is never right.
      if (signIn && ownerCanSignIn(dir) === false) throw new CliError(new SignInNotConfiguredError(flags.host).message, 2);
      const tls = tlsFromFlags(flags);
      const rendererDir = flags.build ? await ensureRendererBuilt((line) => process.stderr.write(`${line}\n`)) : RENDERER_OUT;
      const service = await withWorkspaceErrors(() => LontarService.start({ host: 'browser', workspaceDir: dir, ...(threads && { threads }) }));
      let host;
      try {
        host = await startBrowserHost({
          service,
          rendererDir,
          host: flags.host,
          port: port(flags.port),
          requireSignIn: signIn,
          sessionMs: sessionHours * 3_600_000,
          ...(flags.allowHost && { allowHosts: flags.allowHost }),
          ...(tls && { tls: tls.files }),
        });
      } catch (e) {
        await service.close();
        if (e instanceof SignInNotConfiguredError) throw new CliError(e.message, 2);
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${flags.port} is in use; choose another with --port (0 picks a free one)`, 1);
        throw e;
      }
      if (host.signInRequired) {
        const addresses = isLoopback(flags.host) ? [host.url] : networkAddresses(flags.host, host.port, host.scheme);
        const privacy = tls
          ? `HTTPS with the certificate for ${tls.facts.names} (valid until ${tls.facts.validTo.toISOString().slice(0, 10)})\n`
          : isLoopback(flags.host)
            ? ''
            : 'Plain HTTP: invite links and sessions cross the network unencrypted. On a network you do not fully trust, restart with --tls-cert and --tls-key (docs/cli.md shows how to make them offline).\n';
        process.stdout.write(
          `Lontar is serving the workspace ${service.workspaceDir} with sign-in (sessions last ${sessionHours} h)\n` +
            `Addresses: ${addresses.join('  ') || '(no network address found)'}\n` +
            privacy +
            `Each person opens their own invite link: an owner makes more in the People view (#/people) while this runs, or with \`lontar access invite NAME --role annotator --url ${addresses[0] ?? host.url}\` while it is stopped.\n` +
            `Requests are logged to ${service.workspaceDir}/${REQUEST_LOG}. Ctrl-C stops.\n`,
        );
      } else {
        process.stdout.write(`Lontar is serving the workspace ${service.workspaceDir}\nOpen ${host.url}\n(the address carries this session's key: keep it to yourself; Ctrl-C stops)\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write('stopping: running jobs checkpoint and can be resumed later…\n');
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await host.close();
      await service.close();
    });
}
