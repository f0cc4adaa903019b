/**
 * Reads a design request in plain language: which family of architecture, and which modifiers
 * (size, parameter limit, multi-scale, periodic, depth, bidirectional, dilated, dropout,
 * attention). Plain keyword rules: predictable, explainable, and enough for the offline architect.
 */

export type Family =
  | 'linear'
  | 'recurrent'
  | 'tcn'
  | 'convolutional'
  | 'inception'
  | 'residual'
  | 'wave'
  | 'fourier'
  | 'transformer'
  | 'mixer'
  | 'mlp';

export interface DesignIntent {
  family: Family;
  /** Why this family, in words. */
  familyReason: string;
  rnnCell: 'lstm' | 'gru';
  size: 'tiny' | 'small' | 'normal';
  /** From "under 50k parameters" and the like; null when the request sets none. */
  paramLimit: number | null;
  multiScale: boolean;
  periodic: boolean;
  depth: 'shallow' | 'normal' | 'deep';
  bidirectional: boolean;
  dilated: boolean;
  attention: boolean;
  /** An explicit dropout rate, or true for "with dropout", false for "no dropout", null if unsaid. */
  dropout: number | boolean | null;
  /** The method's example: a novel wave-interference architecture. */
  interference: boolean;
}

const FAMILY_PATTERNS: [Family, RegExp][] = [
  ['inception', /\binception\w*/],
  ['tcn', /\b(tcn|temporal[- ]conv\w*|causal[- ]conv\w*)/],
  ['mixer', /\b(ts-?)?mixer\b|\bmlp-mixer\b/],
  ['transformer', /\b(transformer\w*|patchtst|self-attention|attention-based|informer)\b/],
  ['recurrent', /\b(recurrent|rnns?|lstms?|grus?|bilstm|bigru|seq2seq)\b/],
  ['residual', /\b(residual|resnet\w*|skip[- ]connections?)\b/],
  ['convolutional', /\b(conv\w*|cnns?)\b/],
  ['wave', /\b(waves?|wavy|interference|oscillat\w*|sinusoid\w*|harmonic\w*)\b/],
  ['fourier', /\b(fourier|spectral|fft|frequency[- ]domain)\b/],
  ['linear', /(?<![-\w])(d|n)?linear\b|\blinear regression\b/],
  ['mlp', /\b(mlps?|feed-?forward|perceptron|fully[- ]connected|dense)\b/],
];

const NUMBER_WORDS = /(\d+(?:[.,]\d+)*)\s*(k|thousand|m|million)?\b/;

/** "under 50k parameters", "less than 50,000 params", "< 1M weights", "at most 2000 parameters". */
export function parseParamLimit(text: string): number | null {
  const re = new RegExp(
    String.raw`(?:under|below|less than|fewer than|at most|no more than|max(?:imum)?(?: of)?|within|budget of|<=?|≤)\s*~?\s*` +
      NUMBER_WORDS.source +
      String.raw`\s*(?:trainable\s+)?(?:params?|parameters?|weights)\b`,
    'i',
  );
  const m = re.exec(text);
  const budgetAfter = /(\d+(?:[.,]\d+)*)\s*(k|thousand|m|million)?\s*(?:params?|parameters?)\s*(?:max|maximum|budget|or (?:less|fewer))/i.exec(text);
  const hit = m ?? budgetAfter;
  if (!hit?.[1]) return null;
  const raw = hit[1];
  // "50,000" is a thousands separator; "1.5" is a decimal.
  const value = /^\d{1,3}(,\d{3})+$/.test(raw) ? Number(raw.replace(/,/g, '')) : Number(raw.replace(',', '.'));
  const unit = (hit[2] ?? '').toLowerCase();
  const scale = unit === 'k' || unit === 'thousand' ? 1e3 : unit === 'm' || unit === 'million' ? 1e6 : 1;
  const n = Math.round(value * scale);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function parseDropout(text: string): number | boolean | null {
  if (/\b(no|without)\s+dropout\b/.test(text)) return false;
  const rate = /dropout(?:\s+(?:of|rate|=|:))?\s*(0?\.\d+|\d+\s*%)/.exec(text);
  if (rate?.[1]) {
    const v = rate[1].endsWith('%') ? Number(rate[1].replace('%', '').trim()) / 100 : Number(rate[1]);
    if (v >= 0 && v < 1) return v;
  }
  return /\bdropout\b/.test(text) ? true : null;
}

export function parseRequest(request: string, facts: { periods?: number[]; nFeatures: number }): DesignIntent {
  const text = request.toLowerCase().replace(/\s+/g, ' ');
  const hits = FAMILY_PATTERNS.map(([family, re]) => ({ family, at: re.exec(text)?.index ?? -1 })).filter((h) => h.at >= 0);
  hits.sort((a, b) => a.at - b.at);
  const interference = /\binterference\b/.test(text) || (/\bwaves?\b/.test(text) && /\bnovel\b/.test(text));
  const periodicWord = /\b(periodic\w*|seasonal\w*|cycl\w*)\b/.test(text);
  const attentionWord = /\battention\b/.test(text);
  const size: DesignIntent['size'] = /\b(tiny|minimal|micro|ultra[- ]?light\w*)\b/.test(text)
    ? 'tiny'
    : /\b(light\w*|small|compact|lean|efficient|fast)\b/.test(text)
      ? 'small'
      : 'normal';

  let family: Family;
  let familyReason: string;
  const first = hits[0];
  if (interference) {
    family = 'wave';
    familyReason = 'the request asks for wave interference: waves per channel, superposed and coupled across channels';
  } else if (first) {
    family = first.family;
    const label = first.family === 'tcn' ? 'temporal convolutional (TCN)' : first.family;
    familyReason = `the request names ${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label} architecture`;
  } else if (attentionWord) {
    family = 'transformer';
    familyReason = 'the request asks for attention and names no other family, so a small patch transformer';
  } else if (periodicWord) {
    family = 'fourier';
    familyReason = 'the request stresses periodicity and names no family, so a spectral (Fourier) filter model';
  } else if (size === 'tiny') {
    family = 'linear';
    familyReason = 'no family named and a tiny model wanted: a decomposition-linear model is the strongest tiny baseline';
  } else if (facts.nFeatures > 1) {
    family = 'mixer';
    familyReason = `no family named; with ${facts.nFeatures} features a mixer (time mixing + feature mixing) uses the cross-feature structure`;
  } else {
    family = 'mlp';
    familyReason = 'no family named and a single feature: a channel-wise MLP';
  }

  return {
    family,
    familyReason,
    rnnCell: /\bgru|bigru\b/.test(text) ? 'gru' : 'lstm',
    size,
    paramLimit: parseParamLimit(text),
    multiScale: /\bmulti[- ]?(scale|resolution|kernel)\b|\bmultiple scales\b/.test(text),
    periodic: periodicWord || family === 'wave' || family === 'fourier',
    depth: /\b(deep|deeper|many layers)\b/.test(text) ? 'deep' : /\b(shallow|single[- ]layer|one[- ]layer)\b/.test(text) ? 'shallow' : 'normal',
    bidirectional: /\bbi-?directional\b|\bbilstm\b|\bbigru\b/.test(text),
    dilated: /\bdilat\w*/.test(text) || family === 'tcn',
    attention: attentionWord || family === 'transformer',
    dropout: parseDropout(text),
    interference,
  };
}
