// A training run's curves: the loss at every step (left axis) and the validation accuracy where the
// monitor scored it (right axis, 0–1), against the step.

import { t } from '../strings/index';
import { baseOption, type ChartOption } from './echarts';

type Point = { step: number; value: number };

export function curvesOption(loss: readonly Point[], valAccuracy: readonly Point[]): ChartOption {
  return {
    ...baseOption(t.transfer.curvesLabel),
    tooltip: { ...(baseOption('').tooltip as object), trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 55, right: 55, top: 40, bottom: 40 },
    // The axis follows the steps done so far, so a long run's first steps are readable while it trains.
    xAxis: { type: 'value', name: t.transfer.step, nameLocation: 'middle', nameGap: 25, min: 0 },
    yAxis: [
      { type: 'value', name: t.transfer.loss, scale: true },
      { type: 'value', name: t.transfer.valAccuracy, min: 0, max: 1, splitLine: { show: false } },
    ],
    series: [
      { name: t.transfer.loss, type: 'line', yAxisIndex: 0, showSymbol: loss.length < 40, data: loss.map((p) => [p.step, p.value]) },
      { name: t.transfer.valAccuracy, type: 'line', yAxisIndex: 1, showSymbol: true, data: valAccuracy.map((p) => [p.step, p.value]) },
    ],
  };
}
