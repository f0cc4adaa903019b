/**
 * resvg draws no text without a font, and a headless server often has none configured. Resolve
 * one font file once: a well-known sans font from common
 * distributions (Debian/Ubuntu: fonts-dejavu-core, the one the package declares), else let resvg
 * scan the system. Loading one explicit file is also much faster than scanning every font; only
 * the regular face is loaded (each extra face costs ~10 ms per render), so bold text uses it too.
 */
import fs from 'node:fs';

export interface FontChoice {
  /** Family name to use in the vega config (what resvg matches against). */
  family: string;
  /** Options for @resvg/resvg-js. */
  resvg: { loadSystemFonts: boolean; fontFiles?: string[]; defaultFontFamily?: string };
  /** Where the font came from, for logs and the report. */
  source: string;
}

const CANDIDATES: { family: string; files: string[] }[] = [
  { family: 'DejaVu Sans', files: ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans.ttf', '/usr/share/fonts/dejavu/DejaVuSans.ttf', '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf'] },
  { family: 'Liberation Sans', files: ['/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', '/usr/share/fonts/liberation/LiberationSans-Regular.ttf', '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf'] },
  { family: 'Noto Sans', files: ['/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf', '/usr/share/fonts/noto/NotoSans-Regular.ttf', '/usr/share/fonts/google-noto/NotoSans-Regular.ttf'] },
  { family: 'Arial', files: ['/System/Library/Fonts/Supplemental/Arial.ttf', '/Library/Fonts/Arial.ttf', 'C:\\Windows\\Fonts\\arial.ttf'] },
];

let cached: FontChoice | undefined;

export function resolveFont(): FontChoice {
  if (cached) return cached;
  for (const c of CANDIDATES) {
    const file = c.files.find((f) => fs.existsSync(f));
    if (file) {
      cached = { family: c.family, resvg: { loadSystemFonts: false, fontFiles: [file], defaultFontFamily: c.family }, source: file };
      return cached;
    }
  }
  // Last resort: whatever the system has (slower; text is simply missing if there is nothing).
  cached = { family: 'sans-serif', resvg: { loadSystemFonts: true }, source: 'system fonts (no known font file found)' };
  return cached;
}
