// `lontar engine info`: which execution provider the engine would use, and why; `lontar engine check`:
// the op-coverage check of that provider against the CPU.

import type { Command } from 'commander';
import { chooseProvider } from '../../engine/runtime/provider';
import { checkOpCoverage } from '../../engine/coverage/check';
import { LocalRunner } from '../../engine/runtime/runner';
import { CliError, emit } from '../output';

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
  engine
    .command('check')
    .description("run every op's forward and backward on the chosen provider and compare with the CPU")
    .option('--provider <name>', 'auto | cpu | cuda', 'auto')
    .option('--json', 'machine-readable output')
    .action(async (opts: { provider: string; json?: boolean }) => {
      if (!['auto', 'cpu', 'cuda'].includes(opts.provider)) throw new CliError(`--provider must be auto, cpu or cuda, got "${opts.provider}"`);
      const target = new LocalRunner({ provider: opts.provider as 'auto' | 'cpu' | 'cuda' });
      const reference = new LocalRunner({ provider: 'cpu' });
      try {
        const rows = await checkOpCoverage(target, reference, 1e-4, (r) => opts.json || process.stderr.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.case}\n`));
        const failed = rows.filter((r) => !r.ok);
        emit(Boolean(opts.json), { provider: target.provider, rows }, () =>
          `${target.provider.provider} (${target.provider.reason}): ${rows.length - failed.length}/${rows.length} op cases agree with the CPU` +
          failed.map((r) => `\n  FAIL ${r.case}: ${r.error ?? `max error ${r.maxError.toExponential(2)}`}`).join(''),
        );
        if (failed.length > 0) process.exitCode = 1;
      } finally {
        await target.close();
        await reference.close();
      }
    });
}
