// ECharts with only what the views draw (heat maps, bars, box plots, lines, scatter, error whiskers), a canvas renderer for the
// screen and an SVG renderer for exports. Tooltips render as rich text on the canvas: HTML tooltips
// would need inline style attributes, which the CSP refuses.

import { BarChart, BoxplotChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import { themeColors } from '../lib/theme.svelte';

echarts.use([BarChart, BoxplotChart, CustomChart, HeatmapChart, LineChart, ScatterChart, MarkLineComponent, AriaComponent, DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent, CanvasRenderer, SVGRenderer]);

export { echarts };
export type ChartOption = echarts.EChartsCoreOption;

/** Options every chart shares: theme colours, accessible descriptions, canvas tooltips. */
export function baseOption(description: string): ChartOption {
  const c = themeColors();
  return {
    backgroundColor: c.background,
    color: c.series,
    textStyle: { color: c.text },
    aria: { enabled: true, label: { description } },
    tooltip: { renderMode: 'richText', backgroundColor: c.background, borderColor: c.border, textStyle: { color: c.text } },
    animation: false,
  };
}

/** The same chart as an SVG document (for export), drawn off screen. */
export function renderSvg(option: ChartOption, width: number, height: number): string {
  const chart = echarts.init(null, undefined, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
