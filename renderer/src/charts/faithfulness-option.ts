// Faithfulness of the circuit after each depth and of the control sets, as grouped bars.

import type { CircuitDetail } from '../../../main/api/contract/index';
import { t } from '../strings/index';
import { baseOption, type ChartOption } from './echarts';

type Faithfulness = NonNullable<NonNullable<CircuitDetail['discovery']>['faithfulness']>;

export function faithfulnessOption(f: Faithfulness): ChartOption {
  return {
    ...baseOption(t.circuits.faithfulnessTitle),
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: f.circuits.map((c) => `${c.name} (${c.heads})`), axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    series: [
      { name: t.circuits.accuracyFaithfulness, type: 'bar', data: f.circuits.map((c) => Number(c.accuracyFaithfulness.toFixed(1))) },
      { name: t.circuits.marginFaithfulness, type: 'bar', data: f.circuits.map((c) => Number(c.marginFaithfulness.toFixed(1))) },
    ],
  };
}
