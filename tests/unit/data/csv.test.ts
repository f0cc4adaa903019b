import { describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { decodeText, detectFormat, parseCsv, sniffDelimiter } from '../../../engine/data/index.js';
import type { Column } from '../../../engine/data/index.js';

const nums = (c: Column | undefined): number[] => (c?.kind === 'number' ? Array.from(c.values) : []);
const texts = (c: Column | undefined): string[] => (c?.kind === 'text' ? c.values : []);

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof GenAutoMLError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('delimiter sniffing', () => {
  it.each([
    [',', 'a,b,c\n1,2,3\n4,5,6\n'],
    [';', 'a;b;c\n1;2;3\n4;5;6\n'],
    ['\t', 'a\tb\tc\n1\t2\t3\n4\t5\t6\n'],
    ['|', 'a|b|c\n1|2|3\n4|5|6\n'],
  ])('finds %j', (d, text) => {
    expect(sniffDelimiter(text)).toBe(d);
    expect(parseCsv(text).csv.delimiter).toBe(d);
  });

  it('prefers the consistent delimiter over one that appears inside values', () => {
    // Commas inside the decimal values would fool a naive count; ; is the one that is consistent.
    const text = 'time;a;b\n2024-01-01;1,5;2,25\n2024-01-02;3,5;4\n2024-01-03;1;2,5\n';
    expect(sniffDelimiter(text)).toBe(';');
  });

  it('ignores delimiters inside quotes', () => {
    expect(sniffDelimiter('a;b\n"x,y,z";1\n"p,q";2\n')).toBe(';');
  });
});

describe('header sniffing', () => {
  it('detects a header row', () => {
    const t = parseCsv('date,x\n2024-01-01,1\n2024-01-02,2\n');
    expect(t.csv.header).toBe(true);
    expect(t.columns.map((c) => c.name)).toEqual(['date', 'x']);
    expect(t.rows).toBe(2);
  });

  it('detects a file without a header and names the columns', () => {
    const t = parseCsv('2024-01-01,1,2\n2024-01-02,3,4\n');
    expect(t.csv.header).toBe(false);
    expect(t.columns.map((c) => c.name)).toEqual(['column_1', 'column_2', 'column_3']);
    expect(nums(t.columns[1])).toEqual([1, 3]);
  });

  it('makes duplicate and empty names unique', () => {
    const t = parseCsv('t,a,a,\n2024-01-01,1,2,3\n');
    expect(t.columns.map((c) => c.name)).toEqual(['t', 'a', 'a_2', 'column_4']);
  });

  it('honours a forced header setting', () => {
    const t = parseCsv('1,2\n3,4\n', { header: true });
    expect(t.columns.map((c) => c.name)).toEqual(['1', '2']);
    expect(t.rows).toBe(1);
  });
});

describe('cells', () => {
  it('parses numbers of every common form, and missing tokens as NaN', () => {
    const t = parseCsv('t,x\nd,1\nd,-2.5\nd,+3\nd,1e3\nd,-1.5E-2\nd,.5\nd,\nd,NA\nd,nan\nd,null\nd, 7 \n');
    expect(nums(t.columns[1])).toEqual([1, -2.5, 3, 1000, -0.015, 0.5, NaN, NaN, NaN, NaN, 7]);
  });

  it('reads long mantissas (as ETTh1 writes them) to within float64 rounding', () => {
    const t = parseCsv('t,x\nd,5.827000141143799\nd,30.5310001373291\nd,-0.46200001239776611\n');
    const got = nums(t.columns[1]);
    [5.827000141143799, 30.5310001373291, -0.46200001239776611].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 13));
  });

  it('counts text in a numeric column as invalid, not as a number', () => {
    const t = parseCsv('t,x\nd,1\nd,2\n' + 'd,3\n'.repeat(1000) + 'd,oops\n');
    const c = t.columns[1];
    expect(c?.kind).toBe('number');
    expect(c?.kind === 'number' ? c.invalid : -1).toBe(1);
  });

  it('handles CRLF line ends and blank lines', () => {
    const t = parseCsv('t,x\r\n2024-01-01,1\r\n\r\n2024-01-02,2\r\n   \r\n');
    expect(t.rows).toBe(2);
    expect(texts(t.columns[0])).toEqual(['2024-01-01', '2024-01-02']);
    expect(nums(t.columns[1])).toEqual([1, 2]);
  });

  it('handles a last line without a newline', () => {
    expect(nums(parseCsv('t,x\nd,1\nd,2').columns[1])).toEqual([1, 2]);
  });
});

describe('quoting (csv-parse path)', () => {
  it('parses quoted fields with delimiters, doubled quotes and newlines inside', () => {
    const text = 'date,note,x\n2024-01-01,"a, ""b""\nsecond line",1.5\n2024-01-02,"plain","2"\n';
    const t = parseCsv(text);
    expect(t.csv.quoted).toBe(true);
    expect(t.rows).toBe(2);
    expect(texts(t.columns[1])).toEqual(['a, "b"\nsecond line', 'plain']);
    expect(nums(t.columns[2])).toEqual([1.5, 2]);
  });

  it('gives the same table as the fast path for the same data', () => {
    const plain = 'date,a,b\n2024-01-01,1.5,2\n2024-01-02,,4\n2024-01-03,5,-6e1\n';
    const quoted = 'date,a,b\n"2024-01-01",1.5,"2"\n2024-01-02,"",4\n2024-01-03,5,-6e1\n';
    const p = parseCsv(plain);
    const q = parseCsv(quoted);
    expect(p.csv.quoted).toBe(false);
    expect(q.csv.quoted).toBe(true);
    expect(q.columns.map((c) => c.name)).toEqual(p.columns.map((c) => c.name));
    expect(texts(q.columns[0])).toEqual(texts(p.columns[0]));
    expect(nums(q.columns[1])).toEqual(nums(p.columns[1]));
    expect(nums(q.columns[2])).toEqual(nums(p.columns[2]));
  });

  it('reports an unclosed quote as malformed', () => {
    expect(code(() => parseCsv('a,b\n1,"2\n3,4\n'))).toBe('data.csv_malformed');
  });
});

describe('decimal commas', () => {
  it('reads 1,5 as 1.5 in a ;-delimited file', () => {
    const t = parseCsv('t;x;y\nd;1,5;2\nd;-3,25;4,0\n');
    expect(t.csv.decimalComma).toBe(true);
    expect(nums(t.columns[1])).toEqual([1.5, -3.25]);
    expect(nums(t.columns[2])).toEqual([2, 4]);
    expect(t.warnings.some((w) => w.includes('decimal comma'))).toBe(true);
  });

  it('does not guess decimal commas when dots are also used', () => {
    const t = parseCsv('t;x;y\nd;1,5;2.5\nd;3,25;4.0\n');
    expect(t.csv.decimalComma).toBe(false);
    expect(t.columns[1]?.kind).toBe('text');
  });

  it('never reads commas as decimals in a comma-delimited file', () => {
    expect(parseCsv('t,x\nd,1\n').csv.decimalComma).toBe(false);
  });
});

describe('structure errors', () => {
  it('refuses ragged rows with the line number', () => {
    try {
      parseCsv('t,a,b\nd,1,2\nd,3\nd,4,5\n');
      expect.unreachable();
    } catch (err) {
      expect((err as GenAutoMLError).code).toBe('data.ragged_rows');
      expect((err as GenAutoMLError).details).toMatchObject({ line: 3, expected: 3, got: 2 });
    }
  });

  it('refuses rows with extra fields', () => {
    expect(code(() => parseCsv('t,a\nd,1\nd,2,3\n'))).toBe('data.ragged_rows');
  });

  it('refuses a huge field in the fast path and in the quoted path', () => {
    const big = 'x'.repeat(2000);
    expect(code(() => parseCsv(`t,a\nd,1\nd,${big}\n`, { maxFieldChars: 1000 }))).toBe('data.field_too_large');
    expect(code(() => parseCsv(`t,a\nd,1\nd,"${big}"\n`, { maxFieldChars: 1000 }))).toBe('data.field_too_large');
  });

  it('refuses a header without rows', () => {
    expect(code(() => parseCsv('date,a,b\n'))).toBe('data.no_rows');
  });
});

describe('bytes', () => {
  it('detects Parquet by its magic bytes and everything else as text', () => {
    expect(detectFormat(new TextEncoder().encode('PAR1xxxxPAR1'))).toBe('parquet');
    expect(detectFormat(new TextEncoder().encode('a,b\n'))).toBe('csv');
  });

  it('strips a UTF-8 BOM', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('date,x\n2024-01-01,1\n')]);
    const { text } = decodeText(bytes);
    expect(parseCsv(text).columns[0]?.name).toBe('date');
  });

  it('keeps non-ASCII UTF-8 names and falls back to Latin-1 with a warning', () => {
    expect(decodeText(new TextEncoder().encode('température\n')).text).toBe('température\n');
    const latin1 = new Uint8Array([0x74, 0x65, 0x6d, 0x70, 0xe9, 0x0a]);
    const out = decodeText(latin1);
    expect(out.text).toBe('tempé\n');
    expect(out.warnings[0]).toMatch(/Latin-1/);
  });

  it('refuses empty and binary input', () => {
    expect(code(() => decodeText(new Uint8Array(0)))).toBe('data.empty_file');
    expect(code(() => decodeText(new TextEncoder().encode(' \n\n')))).toBe('data.empty_file');
    expect(code(() => decodeText(new Uint8Array([1, 2, 0, 4, 5])))).toBe('data.not_text');
  });
});

describe('fast path against csv-parse on generated data', () => {
  it('agrees cell for cell and with Number() to float64 precision', () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const forms = [
      (): string => String(Math.round(rnd() * 1e6) - 5e5),
      (): string => (rnd() * 200 - 100).toFixed(4),
      (): string => String(rnd() * 1e-3),
      (): string => (rnd() * 1e10).toExponential(6),
      (): string => (rnd() < 0.5 ? '' : 'NaN'),
      (): string => String(rnd() * 100),
    ];
    const rows: string[] = [];
    for (let r = 0; r < 600; r++) {
      const cells = [new Date(Date.UTC(2024, 0, 1) + r * 60_000).toISOString()];
      for (let c = 0; c < 6; c++) cells.push((forms[(r + c) % forms.length] as () => string)());
      rows.push(cells.join(','));
    }
    const body = rows.join('\n') + '\n';
    const plain = parseCsv('t,a,b,c,d,e,f\n' + body);
    const quoted = parseCsv('"t",a,b,c,d,e,f\n' + body);
    expect(plain.csv.quoted).toBe(false);
    expect(quoted.csv.quoted).toBe(true);
    for (let c = 1; c < 7; c++) {
      const p = nums(plain.columns[c]);
      const q = nums(quoted.columns[c]);
      expect(p).toEqual(q);
      rows.forEach((line, r) => {
        const cell = line.split(',')[c] as string;
        const want = cell === '' || cell === 'NaN' ? NaN : Number(cell);
        if (Number.isNaN(want)) expect(p[r]).toBeNaN();
        else expect(Math.abs((p[r] as number) - want)).toBeLessThanOrEqual(Math.abs(want) * 1e-15 + 1e-300);
      });
    }
    expect(texts(plain.columns[0])).toEqual(texts(quoted.columns[0]));
  });

  it('keeps non-ASCII text cells intact in the byte scanner', () => {
    const t = parseCsv('date,ville,a\n2024-01-01,Zürich,1\n2024-01-02,São Paulo,2\n');
    expect(t.csv.quoted).toBe(false);
    expect(texts(t.columns[1])).toEqual(['Zürich', 'São Paulo']);
  });
});
