/**
 * A rough training-cost estimate for a candidate, used only to order coverage trials cheap first.
 * Nothing is run: the layer kinds in the source give a tier (attention costs most, then recurrence,
 * then convolution, then plain linear maps) and a known parameter count orders models within one.
 * The code is only read as text, never executed here.
 */

const TIERS: [RegExp, number][] = [
  [/\b(MultiheadAttention|TransformerEncoder\w*|TransformerDecoder\w*|scaled_dot_product_attention)\b|softmax\s*\(/, 4],
  [/\bnn\.(LSTM|GRU|RNN)\b|\b(LSTM|GRU)Cell\b/, 3],
  [/\bnn\.Conv[123]d\b|\bF\.conv[123]d\b/, 2],
];

/** Parameters are counted in thousands inside a tier, so a tier always outweighs any size. */
const TIER_WEIGHT = 1e9;

export function estimateCost(code: string, knownParams: number | null | undefined): number {
  let tier = 1;
  for (const [re, t] of TIERS) {
    if (re.test(code)) {
      tier = t;
      break;
    }
  }
  const params = typeof knownParams === 'number' && Number.isFinite(knownParams) && knownParams > 0 ? Math.min(knownParams, TIER_WEIGHT - 1) : 0;
  return tier * TIER_WEIGHT + params;
}
