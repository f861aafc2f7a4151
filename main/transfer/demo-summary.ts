// What `lontar demo` prints when its runs are done: the method comparison on the target (mean ± std
// over the seeds), the circuit's heads, how far each seed's discovery expanded and why it stopped,
// and which of Circuit and NearZero validation chose. Apart from the CLI so a test can read it.

import { buildReport, methodComparison } from './experiment/report';
import { markdownTable } from './experiment/render';
import type { ExperimentResults } from './experiment/results';

export function demoSummary(results: ExperimentResults, target: string, n: number): { table: ReturnType<typeof methodComparison>; report: ReturnType<typeof buildReport>; lines: string[] } {
  const table = methodComparison(results, target, n);
  const report = buildReport(results);
  const choice = report.tables.find((t) => t.title.startsWith('Circuit or NearZero'));
  const circuits = results.transfers.filter((r) => r.method === 'circuit' && r.heads).map((r) => `seed ${r.seed}: ${r.heads}`);
  const lines = [
    `\n${markdownTable(table)}\n`,
    ...(circuits.length > 0 ? [`Circuit heads (layer.head), ${circuits.join('; ')}`] : []),
    ...results.discoveries.filter((d) => d.expansion).map((d) => `Discovery, seed ${d.seed}: ${d.expansion!.reason}`),
    ...(choice ? [`Chosen on ${target} validation: ${choice.rows.map((r) => r[3]).join('; ')}`] : []),
  ];
  return { table, report, lines };
}
