// The slice of Electron's utilityProcess and MessageChannelMain the shell uses to start the backend
// and its job processes in a packaged app, as an interface: index.ts passes the real ones
// (electronProcesses), tests pass fakes (Electron's binary is not there at test time).

/** A started utility process (Electron's UtilityProcess satisfies this). */
export interface UtilityChild {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown, transfer?: any[]): void;
  on(event: 'message', listener: (message: any) => void): this;
  once(event: 'spawn', listener: () => void): this;
  once(event: 'exit', listener: (code: number) => void): this;
  kill(): boolean;
}

export interface UtilityForkOptions {
  cwd: string;
  env: Record<string, string>;
  execArgv: string[];
  stdio: 'pipe' | ('pipe' | 'ignore' | 'inherit')[];
  serviceName: string;
}

export interface UtilityProcesses {
  fork(modulePath: string, args: string[], options: UtilityForkOptions): UtilityChild;
  /** A MessageChannelMain: two linked ports, one for each process. */
  channel(): { port1: unknown; port2: unknown };
  /** Ends a process at once: SIGKILL (child.kill() sends SIGTERM, which job processes ignore). */
  killHard(child: UtilityChild): void;
}

/** Adapts Electron's modules (passed in, so this file never loads Electron itself). */
export function electronProcesses(electron: {
  utilityProcess: { fork(modulePath: string, args: string[], options: UtilityForkOptions): UtilityChild };
  MessageChannelMain: new () => { port1: unknown; port2: unknown };
}): UtilityProcesses {
  return {
    fork: (modulePath, args, options) => electron.utilityProcess.fork(modulePath, args, options),
    channel: () => new electron.MessageChannelMain(),
    killHard: (child) => {
      if (child.pid === undefined) return void child.kill();
      try {
        process.kill(child.pid, 'SIGKILL'); // on Windows: TerminateProcess
      } catch {
        // already gone
      }
    },
  };
}
