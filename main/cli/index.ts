// The `lontar` command line: one program, one module per command group (main/cli/commands/).

import { Command, CommanderError } from 'commander';
import { commandGroups } from './commands/index';
import { CliError, isUserError } from './output';

export function buildProgram(): Command {
  const program = new Command('lontar')
    .description('Offline workbench for adapting language models to low-resource languages (CT-SFT)')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commandGroups) register(program);
  return program;
}

/** Runs the CLI and returns the process exit code (errors are printed, never thrown). */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof CliError) {
      process.stderr.write(`lontar: ${e.message}\n`);
      return e.exitCode;
    }
    // a problem with the user's files or options says what it is; anything else is a bug: its stack helps
    process.stderr.write(`lontar: ${isUserError(e) ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
