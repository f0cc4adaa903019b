/**
 * Charts as PNG for chat and artefacts. Generic builders for later tools (forecast vs truth,
 * Pareto front, error by horizon) share the EDA charts' renderer and look.
 */
import { renderPlot } from './render.js';
import type { Plot, RenderOptions } from './render.js';
import { forecastSpec, horizonErrorSpec, paretoSpec } from './specs.js';
import type { ForecastInput, HorizonInput, ParetoInput } from './specs.js';
import { anomalyScoreSpec, type AnomalyScoreInput } from './anomaly.js';

export { anomalyScoreSpec, type AnomalyScoreInput } from './anomaly.js';

export { renderEdaPlots, histogram } from './eda.js';
export type { EdaPlotOptions } from './eda.js';
export { renderPlot, toSvg, baseConfig, THUMBNAIL_WIDTH } from './render.js';
export type { Plot, RenderOptions } from './render.js';
export { resolveFont } from './fonts.js';
export type { FontChoice } from './fonts.js';
export { lttb } from './downsample.js';
export * from './specs.js';

export function forecastPlot(input: ForecastInput, options?: RenderOptions): Promise<Plot> {
  return renderPlot('forecast', input.title ?? 'Forecast vs truth', forecastSpec(input), options);
}

export function paretoPlot(input: ParetoInput, options?: RenderOptions): Promise<Plot> {
  return renderPlot('pareto', input.title ?? 'Pareto front', paretoSpec(input), options);
}

export function horizonErrorPlot(input: HorizonInput, options?: RenderOptions): Promise<Plot> {
  return renderPlot('horizon-error', input.title ?? `${input.metric} by horizon step`, horizonErrorSpec(input), options);
}

/** `name` tells apart several score charts of one report (stored as charts/<name>.png). */
export function anomalyScorePlot(input: AnomalyScoreInput & { name?: string }, options?: RenderOptions): Promise<Plot> {
  return renderPlot(input.name ?? 'anomaly-scores', input.title, anomalyScoreSpec(input), options);
}
