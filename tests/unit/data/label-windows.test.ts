/**
 * Anomaly labels as a file of windows: every accepted form (CSV with or without a header, JSON
 * pairs, records, NAB's keyed object, epoch numbers) gives the same windows; bad files are refused
 * with data.bad_label_windows and a reason; rows inside a window, ends included, become 1; and
 * a windows file labels a dataset exactly as the equivalent 0/1 column does.
 */
import { describe, expect, it } from 'vitest';
import { labelCounts, labelsFromWindows, parseLabelWindows } from '../../../engine/data/label-windows.js';
import { prepareFromSource } from '../../../engine/data/prepare.js';
import { GenAutoMLError } from '../../../engine/errors.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const t = (iso: string): number => Date.parse(iso);
const EXPECTED = [
  [t('2024-01-02T03:00:00Z'), t('2024-01-02T05:00:00Z')],
  [t('2024-01-03T10:00:00Z'), t('2024-01-03T10:00:00Z')],
];

function refusal(fn: () => unknown): GenAutoMLError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GenAutoMLError);
    expect((e as GenAutoMLError).code).toBe('data.bad_label_windows');
    return e as GenAutoMLError;
  }
  throw new Error('expected a refusal');
}

describe('parseLabelWindows', () => {
  it.each([
    ['CSV with a start,end header', 'start,end\n2024-01-02 03:00:00,2024-01-02 05:00:00\n2024-01-03 10:00:00,2024-01-03 10:00:00\n'],
    ['CSV with the columns the other way round and extra ones', 'note;end;begin\nfan;2024-01-02T05:00:00Z;2024-01-02T03:00:00Z\nstuck;2024-01-03T10:00:00Z;2024-01-03T10:00:00Z\n'],
    ['CSV without a header', '2024-01-02 03:00:00,2024-01-02 05:00:00\r\n2024-01-03 10:00:00,2024-01-03 10:00:00\r\n'],
    ['JSON pairs', '[["2024-01-02 03:00:00", "2024-01-02 05:00:00"], ["2024-01-03 10:00:00", "2024-01-03 10:00:00"]]'],
    ['JSON records', '[{"start": "2024-01-02T03:00:00Z", "end": "2024-01-02T05:00:00Z"}, {"from": "2024-01-03T10:00:00Z", "to": "2024-01-03T10:00:00Z"}]'],
    ['epoch seconds', `[[${t('2024-01-02T03:00:00Z') / 1000}, ${t('2024-01-02T05:00:00Z') / 1000}], [${t('2024-01-03T10:00:00Z') / 1000}, ${t('2024-01-03T10:00:00Z') / 1000}]]`],
  ])('reads %s', (_what, text) => {
    expect(parseLabelWindows(enc(text)).windows).toEqual(EXPECTED);
  });

  it('picks the list for the data file from a NAB-style object, and names the files when none matches', () => {
    const nab = JSON.stringify({
      'realKnownCause/machine_temperature_system_failure.csv': [['2024-01-02 03:00:00.000000', '2024-01-02 05:00:00.000000'], ['2024-01-03 10:00:00.000000', '2024-01-03 10:00:00.000000']],
      'realKnownCause/ambient_temperature_system_failure.csv': [['2024-02-01 00:00:00.000000', '2024-02-02 00:00:00.000000']],
    });
    const got = parseLabelWindows(enc(nab), 'data/machine_temperature_system_failure.csv');
    expect(got).toEqual({ windows: EXPECTED, key: 'realKnownCause/machine_temperature_system_failure.csv' });
    expect(refusal(() => parseLabelWindows(enc(nab), 'other.csv')).message).toMatch(/lists for 2 files .*ambient_temperature.* none for other\.csv/);
  });

  it('refuses what is not a list of windows, saying why', () => {
    expect(refusal(() => parseLabelWindows(enc('[["2024-01-02", "2024-01-01"]]'))).message).toMatch(/Window 1 ends before it starts/);
    expect(refusal(() => parseLabelWindows(enc('[["2024-01-02"]]'))).message).toMatch(/Window 1 .* neither \[start, end\]/);
    expect(refusal(() => parseLabelWindows(enc('{"a": 1}'))).message).toMatch(/no list of windows/);
    expect(refusal(() => parseLabelWindows(enc('[[1, 2'))).message).toMatch(/not valid JSON/);
    expect(refusal(() => parseLabelWindows(enc('2024-01-02\n2024-01-03\n'))).message).toMatch(/one value per line/);
    expect(refusal(() => parseLabelWindows(enc('start,stop_reason\n2024-01-02,x\n'))).message).toMatch(/names a start column but no end column/);
    expect(refusal(() => parseLabelWindows(enc('start,end\nsoon,later\n'))).message).toMatch(/could not be read/);
    const e = refusal(() => parseLabelWindows(enc('start,end\n2024-01-02\n')));
    expect(e.message).toMatch(/Line 2 .* 1 field/);
    expect(e.hint).toMatch(/start,end/);
  });
});

describe('labelsFromWindows and labelCounts', () => {
  it('labels the rows inside each window, ends included, and counts windows that cover no row', () => {
    const times = Float64Array.from({ length: 10 }, (_, i) => i * 10);
    const { labels, outside } = labelsFromWindows(times, [[20, 40], [55, 58], [90, 500], [-5, -1]]);
    expect([...labels]).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 1]);
    expect(outside).toBe(2);
    expect(labelCounts(labels, [0, 10])).toEqual({ rows: 4, events: 2 });
    // An event cut by the split boundary counts in both splits.
    expect(labelCounts(labels, [3, 10])).toEqual({ rows: 3, events: 2 });
  });
});

describe('a windows file labels a dataset as the 0/1 column does', () => {
  const rows = 400;
  const anomalous = (i: number): boolean => (i >= 100 && i < 110) || (i >= 290 && i < 300) || i === 350;
  const stamp = (i: number): string => new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString();
  const body = (withLabel: boolean): string =>
    [withLabel ? 'time,value,label' : 'time,value', ...Array.from({ length: rows }, (_, i) => `${stamp(i)},${(Math.sin(i / 5) + (anomalous(i) ? 4 : 0)).toFixed(4)}${withLabel ? `,${anomalous(i) ? 1 : 0}` : ''}`)].join('\n');
  const inline = (text: string, name: string) => ({ kind: 'inline' as const, content: Buffer.from(text).toString('base64'), name });
  const limits = { allowedDirs: [], maxBytes: 1 << 24, urlTimeoutMs: 1000 };

  it('gives the same labels and per-split counts', async () => {
    const byColumn = await prepareFromSource(inline(body(true), 'a.csv'), {}, limits);
    const windowsCsv = `start,end\n${stamp(100)},${stamp(109)}\n${stamp(290)},${stamp(299)}\n${stamp(350)},${stamp(350)}\n`;
    const byWindows = await prepareFromSource(inline(body(false), 'a.csv'), {}, limits, parseLabelWindows(enc(windowsCsv)));
    expect(byColumn.dataset.labels).toBeDefined();
    expect(byWindows.dataset.labels).toEqual(byColumn.dataset.labels);
    expect(byWindows.dataset.meta.hasLabels).toBe(true);
    expect(byWindows.dataset.meta.columns).toEqual(byColumn.dataset.meta.columns);
    const { source: _a, windows, ...counts } = byWindows.summary.labels!;
    const { source: _b, ...columnCounts } = byColumn.summary.labels!;
    expect(byColumn.summary.labels!.source).toBe('column');
    expect(windows).toEqual({ count: 3, outside: 0 });
    expect(counts).toEqual(columnCounts);
    // 0.7/0.1/0.2 of 400 rows: train [0, 280), val [280, 320), test [320, 400).
    expect(counts).toEqual({ train: { rows: 10, events: 1 }, val: { rows: 10, events: 1 }, test: { rows: 1, events: 1 } });
  });

  it('refuses a label column and windows together, and warns about windows outside the data', async () => {
    const both = await prepareFromSource(inline(body(true), 'a.csv'), {}, limits, { windows: [[0, 1]] }).then(() => null, (e: unknown) => e);
    expect(both).toBeInstanceOf(GenAutoMLError);
    expect((both as GenAutoMLError).code).toBe('data.bad_options');
    expect((both as GenAutoMLError).message).toMatch(/label column \(label\) and label windows/);
    const far = await prepareFromSource(inline(body(false), 'a.csv'), {}, limits, { windows: [[Date.UTC(2030, 0, 1), Date.UTC(2030, 0, 2)]] });
    expect(far.summary.labels).toMatchObject({ source: 'windows', windows: { count: 1, outside: 1 }, test: { rows: 0, events: 0 } });
    expect(far.summary.warnings).toContain('1 of 1 label window(s) cover no row of the data (outside its span, or in a gap between rows).');
  });
});
