// `npm run bench:footprint [-- --model DIR --threads 2 --batch 16 --micro 4]`
// The pre-launch memory estimate (main/transfer/footprint.ts) against the measured peak RSS of the
// same fine-tuning, each run in a process of its own (bench/scale-phase.ts): full fine-tuning and
// CT-SFT, whole batches and micro-batches, on the bundled demo model by default. bench:scale prints
// the same columns at Qwen2.5-0.5B size. Prints a table; the target is |estimate / peak − 1| ≤ 25%.

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runMeasuredPhase, type PhaseResult } from './phase-runner';
import { printTable } from './stats';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(import.meta.dirname, '..', 'resources', 'models', 'lontar-demo-qwen2') },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '16' },
    micro: { type: 'string', default: '4' },
    /** CT-SFT's heads; the default is a 6-head circuit of the demo model's kind (layers 0 and 5). */
    heads: { type: 'string', default: JSON.stringify([0, 1, 2, 6, 7].map((head) => ({ layer: 0, head })).concat([{ layer: 5, head: 1 }])) },
    'limit-gib': { type: 'string', default: '21' },
  },
});

const limits = { limitMiB: Number(args['limit-gib']) * 1024, limitLabel: `${args['limit-gib']} GiB`, timeoutSeconds: 900 };
const phase = (name: string, extra: string[]) =>
  runMeasuredPhase(
    name,
    'engine',
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'scale-phase.ts'), '--model', args.model!, '--threads', args.threads!, '--batch', args.batch!, '--repeats', '2', '--heads', args.heads!, ...extra],
    process.env,
    limits,
  );

const results: PhaseResult[] = [];
for (const [label, kind] of [['full FT', 'full'], ['CT-SFT', 'ctsft']] as const) {
  results.push(await phase(`${label} step`, ['--phase', kind]));
  results.push(await phase(`${label} step, micro-batches of ${args.micro}`, ['--phase', kind, '--micro', args.micro!]));
}

console.log(`\npre-launch estimate against measured peak RSS, ${args.model}, batch ${args.batch}, ${args.threads} threads`);
printTable(
  ['phase', 'bucket', 'measured peak MiB', 'estimated MiB', 'estimate / peak', 'runtime', 'weights', 'activations', 'optimizer'],
  results.map((r) => {
    const e = r.data.estimate as { peakMiB: number; parts: Record<string, number> } | undefined;
    const mib = (bytes: number | undefined) => (bytes === undefined ? NaN : bytes / 2 ** 20);
    return [
      r.name + (r.ok ? '' : ` (${r.failure})`),
      String(r.data.bucket ?? '—'),
      r.peakRssMiB,
      e?.peakMiB ?? NaN,
      e ? e.peakMiB / r.peakRssMiB : NaN,
      mib(e?.parts.runtime),
      mib(e?.parts.weights),
      mib(e?.parts.activations),
      mib(e?.parts.optimizer),
    ];
  }),
);
