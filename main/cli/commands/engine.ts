// `lontar engine info`: which execution provider the engine would use, and why.

import type { Command } from 'commander';
import { chooseProvider } from '../../engine/runtime/provider';
import { emit } from '../output';

export function registerEngine(program: Command): void {
  const engine = program.command('engine').description('the tensor engine: providers and diagnostics');
  engine
    .command('info')
    .description('show the execution provider the engine will use and why')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const choice = chooseProvider('auto');
      emit(Boolean(opts.json), choice, () => `provider: ${choice.provider}\nreason:   ${choice.reason}`);
    });
}
