// The forgetting view's charts for one target: a scatter of target accuracy (up) against source
// retention (across), one series per method with a point per n and the competence checkpoint
// marked; and grouped bars of both accuracies per method and n, with A0 and the source baseline as
// reference lines. Means over seeds; tooltips add the spread.

import type { Comparison, ComparisonPoint, StatView } from '../../../main/api/contract/index';
import { t } from '../strings/index';
import { baseOption, type ChartOption } from './echarts';

const round = (x: number) => Number(x.toFixed(4));
/** Accuracy axes fitted to the points with a margin, so none sits on an axis; within 0–1. */
const padded = {
  min: (v: { min: number }) => Math.max(0, Math.floor((v.min - 0.05) * 20) / 20),
  max: (v: { max: number }) => Math.min(1, Math.ceil((v.max + 0.05) * 20) / 20),
};
const spread = (s: StatView) => (s && s.count > 1 ? ` ± ${s.std.toFixed(3)}` : '');

/** Points of one target that have both accuracies. */
export function measuredPoints(c: Comparison, target: string): ComparisonPoint[] {
  return c.points.filter((p) => p.target === target && p.targetAcc && p.sourceAcc);
}

export function scatterOption(c: Comparison, target: string): ChartOption {
  const points = measuredPoints(c, target);
  const competence = c.competence.find((x) => x.target === target);
  const labels = [...new Set(points.map((p) => p.label))];
  const series: object[] = labels.map((label) => ({
    name: label,
    type: 'scatter',
    symbolSize: 12,
    label: { show: true, position: 'right', formatter: (p: { value: number[] }) => `n=${p.value[2]}` },
    tooltip: { formatter: (p: { value: number[]; data: { text: string } }) => p.data.text },
    data: points
      .filter((p) => p.label === label)
      .map((p) => ({
        value: [round(p.sourceAcc!.mean), round(p.targetAcc!.mean), p.n],
        text: `${t.compare.pointLabel(label, p.n)}\n${t.compare.targetAccuracy(target)}: ${p.targetAcc!.mean.toFixed(3)}${spread(p.targetAcc)}\n${t.compare.retention(c.source)}: ${p.sourceAcc!.mean.toFixed(3)}${spread(p.sourceAcc)}`,
      })),
  }));
  if (competence?.a0 && competence.source) {
    series.push({
      name: t.compare.competencePoint,
      type: 'scatter',
      symbol: 'diamond',
      symbolSize: 16,
      tooltip: { formatter: () => `${t.compare.competencePoint}\n${t.compare.a0(target)}: ${competence.a0!.mean.toFixed(3)}\n${t.compare.sourceBaseline(c.source)}: ${competence.source!.mean.toFixed(3)}` },
      data: [[round(competence.source.mean), round(competence.a0.mean)]],
    });
  }
  return {
    ...baseOption(t.compare.scatterLabel),
    legend: { top: 0, type: 'scroll' },
    grid: { left: 60, right: 40, top: 50, bottom: 50 },
    xAxis: { type: 'value', name: t.compare.retention(c.source), nameLocation: 'middle', nameGap: 30, ...padded },
    yAxis: { type: 'value', name: t.compare.targetAccuracy(target), nameLocation: 'middle', nameGap: 45, ...padded },
    series,
  };
}

export function barsOption(c: Comparison, target: string): ChartOption {
  const points = measuredPoints(c, target);
  const competence = c.competence.find((x) => x.target === target);
  const line = (value: number | undefined, name: string) =>
    value === undefined ? undefined : { silent: true, symbol: 'none', label: { formatter: name, position: 'insideEndTop' }, data: [{ yAxis: round(value) }] };
  return {
    ...baseOption(t.compare.barsLabel),
    tooltip: { ...(baseOption('').tooltip as object), trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 90 },
    xAxis: { type: 'category', data: points.map((p) => t.compare.pointLabel(p.label, p.n)), axisLabel: { interval: 0, rotate: 25 } },
    yAxis: { type: 'value', min: 0, max: 1 },
    series: [
      { name: t.compare.targetAccuracy(target), type: 'bar', data: points.map((p) => round(p.targetAcc!.mean)), markLine: line(competence?.a0?.mean, 'A0') },
      { name: t.compare.retention(c.source), type: 'bar', data: points.map((p) => round(p.sourceAcc!.mean)), markLine: line(competence?.source?.mean, c.source) },
    ],
  };
}
