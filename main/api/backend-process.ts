// The desktop app's backend: a Node process the Electron shell starts, holding the workspace (the
// writer lock, SQLite, validation, the job runner and its job processes). It keeps all of that off
// Electron's main thread, and a crash here cannot take the windows down. It speaks to the shell over
// Node's IPC channel: calls in, results and API events out. Run as
//   node --import tsx main/api/backend-process.ts
// with LONTAR_BACKEND_WORKSPACE=<dir>, else the usual default ($LONTAR_WORKSPACE, the per-user folder).

import { resolveWorkspaceDir } from '../store/index';
import type { FromBackend, ToBackend } from './contract/backend-messages';
import { LontarService } from './service';

const send = (message: FromBackend) => process.send?.(message);

async function main(): Promise<void> {
  if (!process.send) {
    process.stderr.write('the backend process is started by the desktop shell (it needs an IPC channel)\n');
    process.exit(2);
  }
  const workspaceDir = process.env['LONTAR_BACKEND_WORKSPACE'] ?? resolveWorkspaceDir(undefined).dir;
  let service: LontarService;
  try {
    service = await LontarService.start({ host: 'desktop', workspaceDir });
  } catch (e) {
    send({ type: 'fatal', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
  let closing: Promise<void> | undefined;
  const shutdown = () => (closing ??= service.close().finally(() => process.exit(0)));
  service.onEvent((event) => send({ type: 'event', event }));
  process.on('message', (m: ToBackend) => {
    if (m.type === 'shutdown') return void shutdown();
    void service.call(m.method, m.payload).then((result) => send({ type: 'result', id: m.id, result }));
  });
  // The shell went away (quit, crash, kill): stop the jobs at a checkpoint and release the workspace.
  process.on('disconnect', () => void shutdown());
  // The shell decides when to stop; Ctrl-C in its terminal reaches this process group too.
  process.on('SIGINT', () => undefined);
  send({ type: 'ready', workspaceDir: service.workspaceDir });
}

void main();
