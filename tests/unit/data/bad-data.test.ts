/**
 * The bad-input corpus: every file in tests/fixtures/bad-data has an entry here with the error
 * code it must raise, or the repair warning it must report. Big inputs (a huge field, a file over
 * the cap) are generated here instead of being committed; path and URL cases are in sources.test.
 * The non-CSV files (archive.zip, workbook.xlsx, data.csv.gz, utf16*.csv, web-page.csv, …) were
 * written for this corpus with Python's zipfile, gzip and str.encode('utf-16-le').
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { prepareFromSource } from '../../../engine/data/index.js';
import type { PrepareOptionsInput, PrepareResult } from '../../../engine/data/index.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/bad-data');

type Expectation =
  | { code: string }
  | { warning: RegExp; check?: (r: PrepareResult) => void; options?: PrepareOptionsInput };

const CORPUS: Record<string, Expectation> = {
  'empty.csv': { code: 'data.empty_file' },
  'header-only.csv': { code: 'data.no_rows' },
  'binary-garbage.csv': { code: 'data.not_text' },
  'utf16.csv': { warning: /UTF-16LE text; it was decoded/, check: (r) => expect(r.dataset.meta.columns).toEqual(['a', 'b']) },
  'utf16-no-bom.csv': { warning: /UTF-16LE text; it was decoded/, check: (r) => expect(r.summary.rows).toBe(24) },
  'web-page.csv': { code: 'data.html' },
  'export.xml': { code: 'data.xml' },
  'archive.zip': { code: 'data.zip_file' },
  'workbook.xlsx': { code: 'data.spreadsheet' },
  'data.csv.gz': { code: 'data.compressed' },
  'not-a-table.json': { code: 'data.json_shape' },
  'truncated.json': { code: 'data.json_malformed' },
  'ragged-rows.csv': { code: 'data.ragged_rows' },
  'unclosed-quote.csv': { code: 'data.csv_malformed' },
  'no-numeric-column.csv': { code: 'data.no_numeric_column' },
  'only-all-nan.csv': { code: 'data.no_numeric_column' },
  'only-constant.csv': { code: 'data.no_numeric_column' },
  'no-timestamp.csv': { code: 'data.no_timestamp' },
  'date-order-conflict.csv': { code: 'data.no_timestamp' },
  'single-row.csv': { code: 'data.too_few_rows' },
  'truncated.parquet': { code: 'data.parquet_corrupt' },
  'corrupt-pages.parquet': { code: 'data.parquet_corrupt' },
  'csv-named-parquet.parquet': { code: 'data.parquet_corrupt' },
  'all-nan-column.csv': {
    warning: /empty has no values at all and was dropped/,
    check: (r) => expect(r.dataset.meta.columns).toEqual(['a', 'b']),
  },
  'constant-column.csv': {
    warning: /flat has the same value in every row/,
    check: (r) => expect(r.summary.dropped).toContainEqual({ name: 'flat', reason: 'constant' }),
  },
  'duplicate-timestamps.csv': { warning: /repeated an earlier timestamp/, check: (r) => expect(r.summary.duplicates).toBe(1) },
  'unsorted-timestamps.csv': { warning: /not in time order; they were sorted/, check: (r) => expect(r.summary.sorted).toBe(true) },
  'mixed-timezones.csv': {
    warning: /mix time zones/,
    check: (r) => {
      // The same instants written in two zones land on one regular hourly grid.
      expect(r.summary.frequency).toMatchObject({ ms: 3_600_000, regular: true });
      expect(r.dataset.meta.start).toBe('2024-01-01T00:00:00.000Z');
    },
  },
  'semicolon-decimal-comma.csv': {
    warning: /decimal comma/,
    check: (r) => {
      expect(r.summary.csv?.delimiter).toBe(';');
      expect(r.summary.timeFormat).toBe('dmy');
      // Temp is i + 0.5 written as "i,5"; train is the first 21 rows, so its mean is 10.5.
      expect(r.dataset.meta.scaler.mean[0]).toBeCloseTo(10.5, 9);
    },
  },
  'quoted-newlines.csv': {
    warning: /^$/,
    check: (r) => {
      expect(r.summary.rows).toBe(30);
      expect(r.summary.dropped).toEqual([{ name: 'note', reason: 'not numeric' }]);
    },
  },
  'bad-timestamps-some.csv': { warning: /2 row\(s\) had a missing or unreadable timestamp/ },
  'invalid-calendar-date.csv': { warning: /1 row\(s\) had a missing or unreadable timestamp/ },
  'text-in-numeric.csv': { warning: /Column a: 1 cell\(s\) were not numbers/ },
  'long-gap.csv': {
    warning: /left missing rather than invented/,
    check: (r) => expect(r.dataset.meta.gaps).toEqual([[20, 30]]),
  },
  'latin1-names.csv': {
    warning: /not valid UTF-8/,
    check: (r) => expect(r.dataset.meta.columns).toEqual(['température', 'pression']),
  },
};

const limits = { allowedDirs: [DIR], maxBytes: 1_000_000, urlTimeoutMs: 1000 };

async function outcome(file: string, options: PrepareOptionsInput = {}, lim = limits): Promise<PrepareResult | GenAutoMLError> {
  try {
    return await prepareFromSource({ kind: 'path', path: file }, options, lim);
  } catch (err) {
    if (err instanceof GenAutoMLError) return err;
    throw err; // anything else is a crash: the test fails with it
  }
}

describe('bad-input corpus', () => {
  it('has an expectation for every fixture and at least 20 of them', () => {
    const files = readdirSync(DIR).sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files).toEqual(Object.keys(CORPUS).sort());
  });

  for (const [file, want] of Object.entries(CORPUS)) {
    it(`${file} → ${'code' in want ? want.code : 'repaired with a warning'}`, async () => {
      const got = await outcome(file, 'code' in want ? {} : want.options);
      if ('code' in want) {
        expect(got).toBeInstanceOf(GenAutoMLError);
        const err = got as GenAutoMLError;
        expect(err.code).toBe(want.code);
        expect(err.message.length).toBeGreaterThan(10);
        expect(err.hint?.length ?? 0).toBeGreaterThan(10);
        // Nothing is half-prepared: the error is all a caller gets, so there is nothing to store.
      } else {
        if (got instanceof GenAutoMLError) throw new Error(`expected a repair, got [${got.code}] ${got.message}`);
        const warnings = got.summary.warnings.join('\n');
        expect(warnings).toMatch(want.warning);
        want.check?.(got);
      }
    });
  }
});

describe('generated bad inputs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'genautoml-bad-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('huge field → data.field_too_large', async () => {
    await writeFile(path.join(dir, 'huge-field.csv'), `date,a\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,${'9'.repeat(1_100_000)}\n`);
    const got = await outcome('huge-field.csv', {}, { ...limits, allowedDirs: [dir], maxBytes: 5_000_000 });
    expect((got as GenAutoMLError).code).toBe('data.field_too_large');
  });

  it('huge quoted field → data.field_too_large', async () => {
    await writeFile(path.join(dir, 'huge-quoted.csv'), `date,a\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,"${'x'.repeat(1_100_000)}"\n`);
    const got = await outcome('huge-quoted.csv', {}, { ...limits, allowedDirs: [dir], maxBytes: 5_000_000 });
    expect((got as GenAutoMLError).code).toBe('data.field_too_large');
  });

  it('file over the size cap → data.too_large', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${i}`);
    await writeFile(path.join(dir, 'big.csv'), 'time,a\n' + rows.join('\n'));
    const got = await outcome('big.csv', {}, { ...limits, allowedDirs: [dir], maxBytes: 64 * 1024 });
    expect((got as GenAutoMLError).code).toBe('data.too_large');
  });

  it('a path outside the data directories → data.path_outside', async () => {
    const got = await outcome('../../../package.json');
    expect((got as GenAutoMLError).code).toBe('data.path_outside');
  });
});
