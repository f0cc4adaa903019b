/**
 * docs/errors.md is generated from ERROR_CODES (engine/errors/codes.ts): this fails when it is out
 * of date. Regenerate with `npm run docs:errors`
 * (GENAUTOML_WRITE_DOCS=1 npx vitest run tests/unit/docs/error-docs.test.ts).
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../engine/errors/codes.js';
import { ERRORS_DOC, generateErrorDocs, renderErrorDocs } from '../../../scripts/gen-error-docs.js';

const WRITE = process.env.GENAUTOML_WRITE_DOCS === '1';

describe('generated error code reference', () => {
  it('is in sync with engine/errors/codes.ts', () => {
    if (WRITE) generateErrorDocs(false);
    expect(fs.existsSync(ERRORS_DOC), 'docs/errors.md is missing; run npm run docs:errors').toBe(true);
    expect(fs.readFileSync(ERRORS_DOC, 'utf8'), 'docs/errors.md is out of date; run npm run docs:errors').toBe(renderErrorDocs());
    expect(generateErrorDocs(true)).toBe(false);
  });

  it('documents every code once, under its area, with its meaning and hint', () => {
    const doc = renderErrorDocs();
    for (const [code, { meaning, hint }] of Object.entries(ERROR_CODES)) {
      const rows = doc.split('\n').filter((l) => l.startsWith(`| \`${code}\` |`));
      expect(rows, code).toHaveLength(1);
      expect(rows[0]).toContain(meaning.replace(/\|/g, '\\|'));
      expect(rows[0]).toContain(hint.replace(/\|/g, '\\|'));
      const section = doc.slice(0, doc.indexOf(rows[0]!)).split('\n## ').pop()!;
      expect(section.split('\n')[0], code).toContain(`(\`${code.split('.')[0]}.*\`)`);
    }
    expect(doc).toContain(`${Object.keys(ERROR_CODES).length} codes in `);
  });
});
