// Entry of a job process. The owner (the process holding the workspace) starts one per job, sends
// `start`, and gets progress, metrics, checkpoints and the outcome back as messages. The engine runs
// here on a LocalRunner: onnxruntime's run() may block this thread, and a native crash or an
// out-of-memory kill ends only this process; the owner records the job as interrupted.

import { LocalRunner } from '../../engine/runtime/runner';
import type { JobOutcome, StartJob } from '../protocol';
import { JobRegistry } from '../registry';
import { JobCancelledError, JobStoppedError } from '../types';
import { hostContext, type HostedContext } from './job-context';
import { OwnerChannel } from './owner-channel';
import { ownerTransport } from './owner-transport';

// The owner decides how a job ends: Ctrl-C in a terminal reaches the whole process group, and the
// owner turns it into a stop (checkpoint, then interrupted) rather than letting this process die.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
const transport = ownerTransport();
if (!transport) {
  process.stderr.write('a job process is started by its owner (it needs an IPC channel or a parent port)\n');
  process.exit(2);
}
// Without an owner nobody records what this process does: end at once.
transport.onDisconnect(() => process.exit(70));

let hosted: HostedContext<unknown> | undefined;
const early: ('cancel' | 'stop')[] = [];

const channel = new OwnerChannel(
  transport,
  (start) => void runJob(start),
  (command) => (hosted ? hosted.request(command) : early.push(command)),
);

async function runJob(start: StartJob): Promise<void> {
  let runner: LocalRunner | undefined;
  let outcome: JobOutcome;
  try {
    const kind = (await JobRegistry.load(start.kindsModule)).get(start.job.kind);
    const config = kind.config.parse(start.config) as unknown;
    const provider = start.job.device === 'cpu' ? 'cpu' : 'cuda';
    runner = new LocalRunner({ provider, ...(start.threads !== undefined && { threads: start.threads }) });
    hosted = hostContext(start, config, runner, channel);
    for (const command of early) hosted.request(command);
    const resumedFromStep = hosted.ctx.checkpoints.resumeFrom?.step ?? null;
    await channel.send({ type: 'ready', pid: process.pid, provider: runner.provider, resumedFromStep });
    const result = await kind.run(hosted.ctx);
    await hosted.flush();
    outcome = { status: 'done', result };
  } catch (e) {
    await hosted?.flush().catch(() => undefined);
    if (e instanceof JobCancelledError) outcome = { status: 'cancelled' };
    else if (e instanceof JobStoppedError) outcome = { status: 'stopped' };
    else {
      outcome = { status: 'failed', error: e instanceof Error ? e.message : String(e) };
      if (e instanceof Error && e.stack) await channel.send({ type: 'log', message: e.stack }).catch(() => undefined);
    }
  }
  hosted?.close();
  await runner?.close().catch(() => undefined);
  await channel.send({ type: 'finished', outcome });
  process.exit(0);
}
