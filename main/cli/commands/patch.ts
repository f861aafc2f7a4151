// `lontar patch create|apply`: ship an adapted model as a small head-delta patch against its base,
// and rebuild the full adapted folder from base + patch (refused when the base differs).

import type { Command } from 'commander';
import { applyPatch } from '../../models/patch/apply-patch';
import { createPatch } from '../../models/patch/create-patch';
import { emit } from '../output';
import { progressReporter } from '../progress';
import { withModelErrors } from './model';

export function registerPatch(program: Command): void {
  const group = program.command('patch').description('head-delta patches: only the tensors or slices that differ from a base model');
  group
    .command('create')
    .description('compare an adapted folder with its base and write the differences as one patch file')
    .requiredOption('--base <dir>', 'the base model folder')
    .requiredOption('--adapted <dir>', 'the adapted model folder')
    .requiredOption('--out <file>', 'the patch file to write (.safetensors)')
    .option('--json', 'machine-readable output')
    .action((flags: { base: string; adapted: string; out: string; json?: boolean }) =>
      withModelErrors(() => {
        const { file, bytes, manifest } = createPatch(flags.base, flags.adapted, flags.out, progressReporter('patch create'));
        const s = manifest.stats;
        const summary = {
          file,
          bytes,
          baseHash: manifest.base.contentHash,
          entries: manifest.entries.length,
          replaced: manifest.replaced,
          removed: manifest.removed,
          files: Object.keys(manifest.files),
          changedElements: s.changedElements,
          totalElements: s.totalElements,
        };
        emit(Boolean(flags.json), summary, () => {
          const share = s.totalElements > 0 ? ((100 * s.changedElements) / s.totalElements).toFixed(3) : '0';
          return `wrote ${file} (${(bytes / 2 ** 20).toFixed(2)} MiB): ${manifest.entries.length} slices, ${manifest.replaced.length} whole tensors, ${share}% of the weights; base ${manifest.base.contentHash.slice(0, 16)}…`;
        });
      }),
    );
  group
    .command('apply')
    .description('rebuild the adapted folder from its base and a patch (refuses any other base)')
    .requiredOption('--base <dir>', 'the base model folder the patch was made from')
    .requiredOption('--patch <file>', 'the patch file')
    .requiredOption('--out <dir>', 'a new (or empty) folder for the adapted model')
    .option('--json', 'machine-readable output')
    .action((flags: { base: string; patch: string; out: string; json?: boolean }) =>
      withModelErrors(() => {
        const { dir, manifest } = applyPatch(flags.base, flags.patch, flags.out);
        emit(Boolean(flags.json), { dir, baseHash: manifest.base.contentHash, entries: manifest.entries.length }, () => `wrote adapted model ${dir} (${manifest.entries.length} slices applied)`);
      }),
    );
}
