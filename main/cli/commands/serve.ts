// `lontar serve`: the workbench in a browser, for machines where the desktop app cannot run (a lab
// server, a machine without a display for Electron), or for annotators on the lab's network. It owns
// the workspace like the desktop app does (writer lock, job lanes). On loopback (the default) the
// printed address carries a session key; on any other address everyone signs in with an invite from
// `lontar access invite`, and the server refuses to start until an owner invite exists. Ctrl-C stops
// the running jobs at a checkpoint (resumable) and closes the workspace.

import type { Command } from 'commander';
import { networkInterfaces } from 'node:os';
import { LontarService } from '../../api/index';
import { DEFAULT_SESSION_MS, ensureRendererBuilt, isLoopback, RENDERER_OUT, REQUEST_LOG, SignInNotConfiguredError, startBrowserHost } from '../../serve/index';
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

/** The addresses other machines can use, for the start-up message. */
function networkAddresses(bind: string, p: number): string[] {
  if (bind !== '0.0.0.0' && bind !== '::') return [`http://${bind.includes(':') ? `[${bind}]` : bind}:${p}/`];
  const found = Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((a) => !a.internal && a.family === 'IPv4');
  return found.map((a) => `http://${a.address}:${p}/`);
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
        });
      } catch (e) {
        await service.close();
        if (e instanceof SignInNotConfiguredError) throw new CliError(e.message, 2);
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${flags.port} is in use; choose another with --port (0 picks a free one)`, 1);
        throw e;
      }
      if (host.signInRequired) {
        const addresses = isLoopback(flags.host) ? [host.url] : networkAddresses(flags.host, host.port);
        process.stdout.write(
          `Lontar is serving the workspace ${service.workspaceDir} with sign-in (sessions last ${sessionHours} h)\n` +
            `Addresses: ${addresses.join('  ') || '(no network address found)'}\n` +
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
