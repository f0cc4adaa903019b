/**
 * The dataset period a study hands to models that ask for a cycle index (docs/model-contract.md,
 * "Extra inputs"): the user's, else the main dominant period the stored EDA found for the target.
 */
import { z } from 'zod';

// Only the fields read here; the stored report is parsed, never trusted as typed.
const storedEdaSchema = z.object({
  dataset: z.object({ target: z.string() }).passthrough(),
  features: z.array(
    z.object({ name: z.string(), seasonality: z.object({ dominantPeriods: z.array(z.object({ steps: z.number() }).passthrough()) }).passthrough() }).passthrough(),
  ),
}).passthrough();

/** Whole-step main period of the target (≥ 2 steps), or undefined when the EDA found none. */
export function periodFromEda(eda: unknown): number | undefined {
  const parsed = storedEdaSchema.safeParse(eda);
  if (!parsed.success) return undefined;
  const { dataset, features } = parsed.data;
  const target = features.find((f) => f.name === dataset.target) ?? features[0];
  const steps = target?.seasonality.dominantPeriods[0]?.steps;
  if (steps === undefined || !Number.isFinite(steps)) return undefined;
  const p = Math.round(steps);
  return p >= 2 && p <= 1_000_000 ? p : undefined;
}

export function studyPeriod(requested: number | undefined, eda: unknown): number | undefined {
  return requested ?? periodFromEda(eda);
}

/** `{ period }` when one is known, else nothing (exactOptionalPropertyTypes keeps absent absent). */
export function withPeriod(period: number | undefined): { period?: number } {
  return period === undefined ? {} : { period };
}
