// The worker-thread side of WorkerRunner: a LocalRunner whose methods are called by message.
// onnxruntime's run() blocks its thread for the whole computation, so it must never run on the
// thread that serves the UI or the event loop of the main process.

import { parentPort, workerData } from 'node:worker_threads';
import { resolveProvider } from './provider';
import { LocalRunner, type RunnerOptions } from './runner';

export interface WorkerCall {
  id: number;
  method: 'load' | 'run' | 'setState' | 'getState' | 'deleteState' | 'release' | 'close';
  args: unknown[];
}

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { message: string; stack?: string } };

const port = parentPort!;
const options = workerData as RunnerOptions;
if (options.provider !== 'cpu') await resolveProvider('auto'); // this thread's own probe answer, for 'auto'
const runner = new LocalRunner(options);
port.postMessage({ ready: true, provider: runner.provider });

port.on('message', async (call: WorkerCall) => {
  let reply: WorkerReply;
  try {
    const fn = runner[call.method] as (...a: unknown[]) => Promise<unknown>;
    reply = { id: call.id, ok: true, result: await fn.apply(runner, call.args) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    reply = { id: call.id, ok: false, error: { message: err.message, stack: err.stack } };
  }
  port.postMessage(reply);
  if (call.method === 'close') port.close();
});
