// The per-layer distribution of one iteration's head scores as box plots (whiskers: min and max),
// with each layer's best head marked when it was kept: shows at a glance whether the selected heads
// stand out from their layer and which layers carry relevance.

import type { CircuitDetail } from '../../../main/api/contract/index';
import { t } from '../strings/index';
import { baseOption, type ChartOption } from './echarts';

export function layerProfileOption(profile: CircuitDetail['layerProfile'], iteration: number): ChartOption {
  const rows = profile.filter((p) => p.iteration === iteration);
  const base = baseOption(t.circuits.layerProfileLabel(iteration));
  return {
    ...base,
    tooltip: {
      ...(base.tooltip as object),
      formatter: (p: { dataIndex: number }) => {
        const r = rows[p.dataIndex]!;
        return t.circuits.layerProfileTip(r.layer, r.heads, r.selected, r.min, r.median, r.max, r.mean);
      },
    },
    grid: { left: 60, right: 20, top: 20, bottom: 40 },
    xAxis: { type: 'category', name: t.circuits.layer, nameLocation: 'middle', nameGap: 26, data: rows.map((r) => String(r.layer)) },
    yAxis: { type: 'value', name: t.circuits.score, scale: true },
    series: [
      { name: t.circuits.score, type: 'boxplot', data: rows.map((r) => [r.min, r.q1, r.median, r.q3, r.max]) },
      {
        name: t.circuits.selectedAt,
        type: 'scatter',
        symbolSize: 10,
        data: rows.map((r, i) => (r.selected > 0 ? [i, r.max] : null)).filter((x) => x !== null),
      },
    ],
  };
}
