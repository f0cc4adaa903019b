/**
 * vega-lite spec → vega view (headless, renderer 'none') → SVG → PNG via resvg. One path for every
 * chart the project draws, so EDA, search and benchmark plots look alike.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { GenAutoMLError } from '../errors.js';
import { resolveFont } from './fonts.js';
import { downscaleRgba, encodePng } from './png.js';

export interface Plot {
  /** Stable file-name-safe identifier, e.g. `eda-series`. */
  name: string;
  title: string;
  /** Full-size PNG. */
  png: Buffer;
  /** PNG at most THUMBNAIL_WIDTH pixels wide (the same image when already narrower). */
  thumbnail: Buffer;
  width: number;
  height: number;
  thumbnailWidth: number;
  thumbnailHeight: number;
}

export const THUMBNAIL_WIDTH = 480;

export interface RenderOptions {
  /** Pixel scale of the full-size PNG relative to the spec's CSS pixels (default 1; 2 for print). */
  scale?: number;
  thumbnailWidth?: number;
}

/** Shared look: readable fonts, white background, no chart border. */
export function baseConfig(): NonNullable<TopLevelSpec['config']> {
  const font = resolveFont().family;
  return {
    font,
    background: 'white',
    padding: 8,
    view: { stroke: '#ddd' },
    axis: { labelFontSize: 10, titleFontSize: 11, gridColor: '#eee' },
    title: { fontSize: 14, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555' },
    header: { labelFontSize: 11, titleFontSize: 11 },
    legend: { labelFontSize: 10, titleFontSize: 11 },
  };
}

/** Renders a vega-lite spec to SVG text. */
export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...baseConfig(), ...(spec.config ?? {}) } } as TopLevelSpec;
  const compiled = compile(withConfig).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function rasterise(svg: string, scale: number) {
  const font = resolveFont().resvg;
  const image = new Resvg(svg, { font, fitTo: { mode: 'zoom', value: scale }, background: 'white' }).render();
  return { png: image.asPng(), pixels: image.pixels, width: image.width, height: image.height };
}

export async function renderPlot(name: string, title: string, spec: TopLevelSpec, options: RenderOptions = {}): Promise<Plot> {
  let svg: string;
  try {
    svg = await toSvg(spec);
  } catch (err) {
    throw new GenAutoMLError('plot.render_failed', `Could not render the ${title} chart: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      hint: 'This is a bug in the chart specification; the data itself was fine.',
      details: { name },
    });
  }
  const full = rasterise(svg, options.scale ?? 1);
  const maxThumb = options.thumbnailWidth ?? THUMBNAIL_WIDTH;
  let thumb = { png: full.png, width: full.width, height: full.height };
  if (full.width > maxThumb) {
    const small = downscaleRgba(new Uint8Array(full.pixels.buffer, full.pixels.byteOffset, full.pixels.byteLength), full.width, full.height, maxThumb);
    thumb = { png: encodePng(small.pixels, small.width, small.height), width: small.width, height: small.height };
  }
  return {
    name,
    title,
    png: full.png,
    thumbnail: thumb.png,
    width: full.width,
    height: full.height,
    thumbnailWidth: thumb.width,
    thumbnailHeight: thumb.height,
  };
}
