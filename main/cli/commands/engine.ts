// `lontar engine info`: which execution provider the engine would use, and why (after a probe
// session on CUDA), and which CUDA the installed onnxruntime-node needs; `lontar engine check`: the
// op-coverage check of that provider against the CPU.

import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { CUDA_MAJOR, CUDA_RUNTIME_LIBRARIES, CUDNN_MAJOR } from '../../engine/runtime/cuda-probe';
import { resolveProvider, type ProviderChoice } from '../../engine/runtime/provider';
import { checkOpCoverage } from '../../engine/coverage/check';
import { LocalRunner } from '../../engine/runtime/runner';
import { CliError, emit } from '../output';

export function registerEngine(program: Command): void {
  const engine = program.command('engine').description('the tensor engine: providers and diagnostics');
  engine
    .command('info')
    .description('show the execution provider the engine will use and why')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const choice = await resolveProvider('auto');
      const needs = cudaNeeds();
      emit(Boolean(opts.json), { ...choice, cuda: needs }, () => infoText(choice, needs));
    });
  engine
    .command('check')
    .description("run every op's forward and backward on the chosen provider and compare with the CPU")
    .option('--provider <name>', 'auto | cpu | cuda', 'auto')
    .option('--json', 'machine-readable output')
    .action(async (opts: { provider: string; json?: boolean }) => {
      if (!['auto', 'cpu', 'cuda'].includes(opts.provider)) throw new CliError(`--provider must be auto, cpu or cuda, got "${opts.provider}"`);
      await resolveProvider(opts.provider === 'cpu' ? 'cpu' : 'auto'); // probe once, so the runner's choice is a real one
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

/** What the installed onnxruntime-node's CUDA provider needs: its builds are for CUDA 12 and cuDNN 9. */
export function cudaNeeds(): { onnxruntimeNode: string; cudaMajor: number; cudnnMajor: number; libraries: string[] } {
  const version = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
  return { onnxruntimeNode: version, cudaMajor: CUDA_MAJOR, cudnnMajor: CUDNN_MAJOR, libraries: CUDA_RUNTIME_LIBRARIES };
}

export function infoText(choice: ProviderChoice, needs: ReturnType<typeof cudaNeeds>): string {
  return [
    `provider: ${choice.provider}`,
    `reason:   ${choice.reason}`,
    ...(choice.missing?.length ? [`missing:  ${choice.missing.join(', ')}`] : []),
    `cuda:     onnxruntime-node ${needs.onnxruntimeNode}'s CUDA provider is built for CUDA ${needs.cudaMajor} and cuDNN ${needs.cudnnMajor}:`,
    `          ${needs.libraries.join(', ')}`,
    `          with only CUDA ${needs.cudaMajor + 1} installed, put the CUDA ${needs.cudaMajor} runtime libraries beside it (LD_LIBRARY_PATH);`,
    '          docs/gpu.md says how to bring them offline',
  ].join('\n');
}
