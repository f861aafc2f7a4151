// Faithfulness of the circuit after each depth, of the control sets and of the random-set null's mean, as grouped bars.

import type { CircuitDetail } from '../../../main/api/contract/index';
import { t } from '../strings/index';
import { baseOption, type ChartOption } from './echarts';

type Faithfulness = NonNullable<NonNullable<CircuitDetail['discovery']>['faithfulness']>;

export function faithfulnessOption(f: Faithfulness): ChartOption {
  // The random-set null appears as one more bar pair, at its mean (its spread is in the text below).
  const n = f.randomNull;
  const bars = [
    ...f.circuits.map((c) => ({ label: `${c.name} (${c.heads})`, accuracy: c.accuracyFaithfulness, margin: c.marginFaithfulness })),
    ...(n ? [{ label: `random ×${n.draws} mean (${n.heads})`, accuracy: n.accuracyFaithfulness.mean, margin: n.marginFaithfulness.mean }] : []),
  ];
  return {
    ...baseOption(t.circuits.faithfulnessTitle),
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: bars.map((b) => b.label), axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    series: [
      { name: t.circuits.accuracyFaithfulness, type: 'bar', data: bars.map((b) => Number(b.accuracy.toFixed(1))) },
      { name: t.circuits.marginFaithfulness, type: 'bar', data: bars.map((b) => Number(b.margin.toFixed(1))) },
    ],
  };
}
