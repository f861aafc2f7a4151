// `npx tsx bench/circuit-scopes.ts --model DIR [--data PATH --language ind --p 0.0625 --depth 1 --seed 31]`
// Which layers iteration 0 favours, under each source scope (all positions, label position) and
// attention rule (fixed, beta-softmax): runs `lontar discover` once per variant on the same model,
// pool and seed, and prints per variant the heads kept, the per-layer median and best iteration-0
// score, how far expansion went, the circuit's faithfulness against its random control, and the
// time. Findings and the figures measured: docs/circuits.md. Prints tables; never asserts.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { expansionOf, readCircuitFile, type CircuitFile } from '../main/circuits/circuit-file';
import { printTable } from './stats';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string', default: 'resources/data/nusax-senti' },
    language: { type: 'string', default: 'ind' },
    p: { type: 'string', default: '0.0625' },
    depth: { type: 'string', default: '1' },
    seed: { type: 'string', default: '31' },
  },
});
if (!args.model) throw new Error('--model DIR is required (for example a competence checkpoint exported with `lontar export RUN --format hf`)');

const dir = mkdtempSync(join(tmpdir(), 'lontar-scopes-'));
const variants = (['all-positions', 'label-position'] as const).flatMap((scope) => (['fixed', 'beta-softmax'] as const).map((attention) => ({ scope, attention })));
const files: { scope: string; attention: string; file: CircuitFile; seconds: number }[] = [];
try {
  for (const v of variants) {
    const out = join(dir, `${v.scope}-${v.attention}.json`);
    const t0 = performance.now();
    execFileSync('node', ['bin/lontar.mjs', 'discover', '--model', args.model, '--data', args.data!, '--language', args.language!, '--p', args.p!, '--depth', args.depth!, '--seed', args.seed!,
      '--mean-size', '50', '--discovery-size', '50', '--source-scope', v.scope, '--attention', v.attention, '--no-fast-screen', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
    files.push({ ...v, file: readCircuitFile(out), seconds: (performance.now() - t0) / 1000 });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const heads = (hs: { layer: number; head: number }[]) => hs.map((h) => `${h.layer}.${h.head}`).join(' ');
const fmt = (x: number) => x.toPrecision(3);
printTable(
  ['scope', 'attention', 'iteration 0 kept', 'circuit', 'reached', 'acc. faithf. %', 'margin faithf. %', 'random: acc. / margin %', 's'],
  files.map(({ scope, attention, file, seconds }) => {
    const f = file.faithfulness!;
    const circuit = f.circuits.filter((c) => c.name.startsWith('circuit depth')).at(-1)!;
    const random = f.circuits.find((c) => c.name === 'random')!;
    return [scope, attention, heads(file.iterations[0]!.selected), heads(file.circuit), `${expansionOf(file).reached} of ${expansionOf(file).asked}`,
      circuit.accuracyFaithfulness.toFixed(1), circuit.marginFaithfulness.toFixed(1), `${random.accuracyFaithfulness.toFixed(1)} / ${random.marginFaithfulness.toFixed(1)}`, seconds.toFixed(0)];
  }),
);
const layers = [...new Set(files[0]!.file.layerProfile!.filter((p) => p.iteration === 0).map((p) => p.layer))];
printTable(
  ['scope', 'attention', ...layers.map((l) => `layer ${l} median / max`)],
  files.map(({ scope, attention, file }) => [scope, attention, ...layers.map((l) => {
    const p = file.layerProfile!.find((x) => x.iteration === 0 && x.layer === l)!;
    return `${fmt(p.median)} / ${fmt(p.max)}`;
  })]),
);
