// Forgetting per method and n for one target, with its spread: a bar at the mean over seeds (source
// accuracy lost against each seed's own competence checkpoint) and a whisker of ± one sample std,
// so a difference smaller than the seeds' scatter is seen as such. One seed: the bar alone.

import type { Comparison } from '../../../main/api/contract/index';
import { t } from '../strings/index';
import { baseOption, type ChartOption } from './echarts';

const round = (x: number) => Number(x.toFixed(4));

interface WhiskerApi {
  value: (dim: number) => number;
  coord: (point: number[]) => number[];
  size: (span: number[]) => number[];
  style: (extra?: object) => { fill?: unknown };
}

/** A vertical line from mean − std to mean + std with caps a third of the band wide. */
function whisker(_params: unknown, api: WhiskerApi): object {
  const [x, lo, hi] = [api.value(0), api.value(1), api.value(2)];
  const [top, bottom] = [api.coord([x, hi]), api.coord([x, lo])];
  const cap = api.size([1, 0])[0]! / 6;
  const style = api.style({ stroke: api.style().fill, lineWidth: 1.5 });
  const line = (x1: number, y1: number, x2: number, y2: number) => ({ type: 'line', shape: { x1, y1, x2, y2 }, style });
  return {
    type: 'group',
    children: [line(top[0]!, top[1]!, bottom[0]!, bottom[1]!), line(top[0]! - cap, top[1]!, top[0]! + cap, top[1]!), line(bottom[0]! - cap, bottom[1]!, bottom[0]! + cap, bottom[1]!)],
  };
}

export function forgettingSpreadOption(c: Comparison, target: string): ChartOption {
  const points = c.points.filter((p) => p.target === target && p.forgetting);
  const names = points.map((p) => t.compare.pointLabel(p.label, p.n));
  const spreads = points.map((p, i) => ({ i, p })).filter(({ p }) => p.forgetting!.count > 1);
  return {
    ...baseOption(t.compare.forgettingLabel(c.source)),
    tooltip: { ...(baseOption('').tooltip as object), trigger: 'item' },
    grid: { left: 60, right: 20, top: 30, bottom: 90 },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: 25 } },
    yAxis: { type: 'value', name: t.compare.forgettingAxis(c.source), nameLocation: 'middle', nameGap: 45 },
    series: [
      {
        name: t.compare.forgetting,
        type: 'bar',
        data: points.map((p) => ({ value: round(p.forgetting!.mean), text: t.compare.forgettingTip(p.label, p.n, p.forgetting!.mean, p.forgetting!.std, p.forgetting!.count) })),
        tooltip: { formatter: (x: { data: { text: string } }) => x.data.text },
        markLine: { silent: true, symbol: 'none', label: { show: false }, data: [{ yAxis: 0 }] },
      },
      {
        name: t.compare.spread,
        type: 'custom',
        renderItem: whisker,
        encode: { x: 0, y: [1, 2] },
        tooltip: { show: false },
        z: 3,
        data: spreads.map(({ i, p }) => [i, round(p.forgetting!.mean - p.forgetting!.std), round(p.forgetting!.mean + p.forgetting!.std)]),
      },
    ],
  };
}
