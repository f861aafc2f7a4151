// Runs the `lontar` CLI in this process, capturing what it prints and its exit code.

import { main } from '../../main/cli/index';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function lontar(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'lontar', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
