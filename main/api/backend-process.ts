// The desktop app's backend: a Node process the Electron shell starts, holding the workspace (the
// writer lock, SQLite, validation, the job runner and its job processes). It keeps all of that off
// Electron's main thread, and a crash here cannot take the windows down. It speaks to the shell over
// shell-channel.ts: calls in, results and API events out. In a checkout it runs as
//   node --import tsx main/api/backend-process.ts
// (Node IPC); a packaged app starts it with Electron's utilityProcess.fork (parent port), and then
// asks the shell to start job processes, since the RunAsNode fuse is off. The workspace is
// LONTAR_BACKEND_WORKSPACE=<dir>, else the usual default ($LONTAR_WORKSPACE, the per-user folder).

import { resolveWorkspaceDir } from '../store/index';
import { shellChannel } from './shell-channel';
import { LontarService } from './service';

async function main(): Promise<void> {
  const shell = shellChannel();
  if (!shell) {
    process.stderr.write('the backend process is started by the desktop shell (it needs an IPC channel or a parent port)\n');
    process.exit(2);
  }
  const workspaceDir = process.env['LONTAR_BACKEND_WORKSPACE'] ?? resolveWorkspaceDir(undefined).dir;
  let service: LontarService;
  try {
    service = await LontarService.start({ host: 'desktop', workspaceDir, ...(shell.spawn && { spawn: shell.spawn }) });
  } catch (e) {
    shell.send({ type: 'fatal', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
  let closing: Promise<void> | undefined;
  const shutdown = () => (closing ??= service.close().finally(() => process.exit(0)));
  service.onEvent((event) => shell.send({ type: 'event', event }));
  shell.onMessage((m) => {
    if (m.type === 'shutdown') return void shutdown();
    if (m.type === 'call') void service.call(m.method, m.payload).then((result) => shell.send({ type: 'result', id: m.id, result }));
  });
  // The shell went away (quit, crash, kill): stop the jobs at a checkpoint and release the workspace.
  shell.onDisconnect(() => void shutdown());
  // The shell decides when to stop; Ctrl-C in its terminal reaches this process group too.
  process.on('SIGINT', () => undefined);
  shell.send({ type: 'ready', workspaceDir: service.workspaceDir });
}

void main();
