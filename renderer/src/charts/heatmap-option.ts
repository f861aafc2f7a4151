// The layer × head relevance heat map of one discovery iteration: a diverging scale centred on
// zero, circuit heads outlined, and circuit heads that this iteration did not score (they were
// kept earlier) shown as outlined grey cells.

import type { CircuitDetail } from '../../../main/api/contract/index';
import { headName } from '../lib/format';
import { themeColors } from '../lib/theme.svelte';
import { t } from '../strings/index';
import { baseOption, type ChartOption } from './echarts';

export interface HeatmapCell {
  value: [number, number, number];
  layer: number;
  head: number;
}

export function heatmapOption(detail: CircuitDetail, iteration: number, inCircuit: ReadonlySet<string>): ChartOption {
  const c = themeColors();
  const it = detail.iterations.find((x) => x.iteration === iteration);
  const scores = it?.scores ?? [];
  const extent = Math.max(1e-9, ...scores.map((s) => Math.abs(s.score)));
  const outline = { borderColor: c.text, borderWidth: 3 };
  const scored = new Set(scores.map((s) => headName(s)));
  const cells = scores.map((s) => ({
    value: [s.head, s.layer, s.score],
    layer: s.layer,
    head: s.head,
    ...(inCircuit.has(headName(s)) && { itemStyle: outline }),
  }));
  const earlier = [...inCircuit]
    .map((k) => /^L(\d+)H(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null && !scored.has(m[0]))
    .map((m) => ({ value: [Number(m[2]), Number(m[1]), 0], layer: Number(m[1]), head: Number(m[2]), itemStyle: { color: c.border, ...outline } }));
  return {
    ...baseOption(t.circuits.heatmapLabel(iteration)),
    tooltip: {
      ...(baseOption('').tooltip as object),
      formatter: (p: { data: HeatmapCell; seriesIndex: number }) =>
        `${headName(p.data)}\n${p.seriesIndex === 0 ? `${t.circuits.score} ${p.data.value[2].toFixed(4)}` : t.circuits.inCircuit}`,
    },
    grid: { left: 60, right: 110, top: 10, bottom: 40 },
    xAxis: { type: 'category', name: t.circuits.head, nameLocation: 'middle', nameGap: 24, data: Array.from({ length: detail.grid.heads }, (_, h) => String(h)), splitArea: { show: true } },
    // layer 0 on top, as the model reads
    yAxis: { type: 'category', inverse: true, name: t.circuits.layer, nameLocation: 'middle', nameGap: 36, data: Array.from({ length: detail.grid.layers }, (_, l) => String(l)), splitArea: { show: true } },
    visualMap: {
      seriesIndex: 0,
      min: -extent,
      max: extent,
      calculable: true,
      precision: 3,
      orient: 'vertical',
      right: 10,
      top: 'middle',
      inRange: { color: c.scale },
      textStyle: { color: c.text },
    },
    series: [
      { type: 'heatmap', name: t.circuits.score, data: cells, emphasis: { itemStyle: { borderColor: c.accent, borderWidth: 2 } } },
      { type: 'heatmap', name: t.circuits.inCircuit, data: earlier },
    ],
  };
}
