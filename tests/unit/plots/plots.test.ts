import fs from 'node:fs';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runEda } from '../../../engine/eda/index.js';
import { forecastPlot, horizonErrorPlot, lttb, paretoFront, paretoPlot, renderEdaPlots, resolveFont, THUMBNAIL_WIDTH } from '../../../engine/plots/index.js';
import type { Plot } from '../../../engine/plots/index.js';
import { downscaleRgba, encodePng } from '../../../engine/plots/png.js';
import { readEtth1, toPrepared } from '../../fixtures/eda/etth1.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(SIGNATURE)).toBe(true);
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function checkPlot(p: Plot): void {
  expect(pngSize(p.png)).toEqual({ width: p.width, height: p.height });
  expect(pngSize(p.thumbnail)).toEqual({ width: p.thumbnailWidth, height: p.thumbnailHeight });
  expect(p.thumbnailWidth).toBeLessThanOrEqual(THUMBNAIL_WIDTH);
  expect(p.width).toBeGreaterThan(200);
  // Written for a human to open; see the report.
  if (process.env.GENAUTOML_PLOT_DIR) fs.writeFileSync(`${process.env.GENAUTOML_PLOT_DIR}/${p.name}.png`, p.png);
}

describe('EDA plots on ETTh1', () => {
  let plots: Plot[];
  beforeAll(async () => {
    const ds = toPrepared(readEtth1());
    plots = await renderEdaPlots(ds, runEda(ds));
  });

  it('renders the four charts as valid PNGs with thumbnails', () => {
    expect(plots.map((p) => p.name)).toEqual(['eda-series', 'eda-acf', 'eda-correlation', 'eda-distributions']);
    for (const p of plots) checkPlot(p);
  });

  it('finds a font so text is drawn', () => {
    expect(resolveFont().source).not.toMatch(/no known font/);
  });
});

describe('generic plots', () => {
  it('forecast, Pareto and horizon charts render', async () => {
    const x = Array.from({ length: 144 }, (_, i) => i);
    const truth = x.map((i) => Math.sin(i / 8));
    checkPlot(await forecastPlot({ feature: 'OT', x, truth, forecast: truth.slice(96).map((v) => v * 0.9) }));
    const points = [
      { name: 'a', x: 1e3, y: 0.5 },
      { name: 'b', x: 1e4, y: 0.4 },
      { name: 'c', x: 2e4, y: 0.45 },
      { name: 'd', x: 1e5, y: 0.38 },
    ];
    checkPlot(await paretoPlot({ points, xLabel: 'parameters', yLabel: 'val MSE', logX: true }));
    checkPlot(await horizonErrorPlot({ metric: 'MSE', series: [{ name: 'm', errors: [0.3, 0.32, 0.35] }] }));
  });

  it('Pareto front keeps only non-dominated points', () => {
    const front = paretoFront([
      { name: 'a', x: 1, y: 5 },
      { name: 'b', x: 2, y: 3 },
      { name: 'c', x: 3, y: 4 },
      { name: 'd', x: 4, y: 1 },
    ]);
    expect(front.map((p) => p.name)).toEqual(['a', 'b', 'd']);
  });

  it('LTTB keeps the ends and a spike', () => {
    const y = Array.from({ length: 10000 }, (_, i) => (i === 5000 ? 100 : Math.sin(i / 50)));
    const x = y.map((_, i) => i);
    const keep = lttb(x, y, 500);
    expect(keep).toHaveLength(500);
    expect(keep[0]).toBe(0);
    expect(keep[499]).toBe(9999);
    expect(keep).toContain(5000);
  });

  it('PNG encoder and downscaler round-trip pixels', () => {
    const w = 8;
    const h = 4;
    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 37) % 256);
    const png = encodePng(rgba, w, h);
    expect(pngSize(png)).toEqual({ width: w, height: h });
    const idat = png.indexOf('IDAT');
    const len = png.readUInt32BE(idat - 4);
    const raw = zlib.inflateSync(png.subarray(idat + 4, idat + 4 + len));
    expect(raw[0]).toBe(0);
    expect(Array.from(raw.subarray(1, 1 + w * 4))).toEqual(Array.from(rgba.subarray(0, w * 4)));
    const half = downscaleRgba(new Uint8Array(16).fill(200), 2, 2, 1);
    expect(half).toEqual({ pixels: Uint8Array.from([200, 200, 200, 200]), width: 1, height: 1 });
  });
});
