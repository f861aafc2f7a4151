// `lontar serve`: the workbench in a browser, for machines where the desktop app cannot run (a lab
// server, a machine without a display for Electron). It owns the workspace like the desktop app
// does (writer lock, job lanes) and listens on 127.0.0.1 only; Ctrl-C stops the running jobs at a
// checkpoint (resumable) and closes the workspace.

import type { Command } from 'commander';
import { LontarService } from '../../api/index';
import { assertLoopback, ensureRendererBuilt, NonLoopbackHostError, RENDERER_OUT, startBrowserHost } from '../../serve/index';
import { CliError } from '../output';
import { WORKSPACE_HELP, withWorkspaceErrors, workspaceDir } from './workspace';

interface ServeFlags {
  workspace?: string;
  port: string;
  host: string;
  build: boolean;
  threads?: string;
}

export const DEFAULT_SERVE_PORT = 5183;

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--port must be a port number (0 for any free port), got "${value}"`);
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('open the workbench in a web browser on this computer (127.0.0.1 only)')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--port <n>', 'port to listen on (0: any free port)', String(DEFAULT_SERVE_PORT))
    .option('--host <address>', 'loopback address to listen on (127.0.0.1, localhost or ::1)', '127.0.0.1')
    .option('--no-build', 'serve the renderer as built, even if its sources changed')
    .option('--threads <n>', 'engine threads per job (default: all cores)')
    .action(async (flags: ServeFlags) => {
      try {
        assertLoopback(flags.host);
      } catch (e) {
        if (e instanceof NonLoopbackHostError) throw new CliError(e.message, 2);
        throw e;
      }
      const threads = flags.threads === undefined ? undefined : Number(flags.threads);
      if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) throw new CliError(`--threads must be a positive integer, got "${flags.threads}"`);
      const rendererDir = flags.build ? await ensureRendererBuilt((line) => process.stderr.write(`${line}\n`)) : RENDERER_OUT;
      const dir = workspaceDir(flags.workspace);
      const service = await withWorkspaceErrors(() => LontarService.start({ host: 'browser', workspaceDir: dir, ...(threads && { threads }) }));
      let host;
      try {
        host = await startBrowserHost({ service, rendererDir, host: flags.host, port: port(flags.port) });
      } catch (e) {
        await service.close();
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${flags.port} is in use; choose another with --port (0 picks a free one)`, 1);
        throw e;
      }
      process.stdout.write(`Lontar is serving the workspace ${service.workspaceDir}\nOpen ${host.url}\n(the address carries this session's key: keep it to yourself; Ctrl-C stops)\n`);
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
