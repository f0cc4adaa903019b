/**
 * CLI flags derived from a tool's zod input schema, so a tool needs no CLI code of its own:
 * strings, numbers, booleans (`--x` / `--no-x`), enums (checked choices), arrays (repeat the flag
 * or separate with commas) and anything else (objects, unions) as a JSON value, or as the plain
 * string when the word is not JSON, so that `--split 0.7/0.1/0.2` reaches a string|literal union.
 */
import { z } from 'zod';
import type { AnyTool } from '../../tools/define.js';

export type ScalarKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum';
export type FieldKind = ScalarKind | 'array' | 'json';

export interface CliField {
  /** The input field (schema key). */
  name: string;
  /** The flag without dashes, kebab-case: `datasetId` → `dataset-id`. */
  flag: string;
  kind: FieldKind;
  /** For arrays: the kind of one element (`json` when it is not a scalar). */
  element?: ScalarKind | 'json';
  choices?: string[];
  required: boolean;
  description: string;
  defaultValue?: unknown;
  positional: boolean;
}

/** Flags every tool command has; a tool field may not take these names. */
export const RESERVED_FLAGS = ['json', 'help', 'version'];

/**
 * `--out <dir>` is where the CLI writes images and attachments. A tool may declare its own `out`
 * field (an export directory, say): it then owns the flag, and the same directory receives the files.
 */
export const OUT_FLAG = 'out';

export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

interface Unwrapped {
  inner: z.ZodType;
  description: string | undefined;
  defaultValue: unknown;
}

/** Peels optional/default/nullable wrappers, keeping the outermost description and the default. */
function unwrap(schema: z.ZodType): Unwrapped {
  let s: z.ZodType = schema;
  let description = schema.description;
  let defaultValue: unknown;
  for (;;) {
    if (s instanceof z.ZodDefault) {
      defaultValue ??= (s._zod.def as { defaultValue: unknown }).defaultValue;
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      s = s.unwrap() as z.ZodType;
    } else break;
    description ??= s.description;
  }
  return { inner: s, description, defaultValue };
}

function scalarKind(s: z.ZodType): ScalarKind | undefined {
  // String formats (z.url(), z.email(), z.iso.datetime()…) are strings on the command line.
  if (s instanceof z.ZodString || s instanceof z.ZodStringFormat) return 'string';
  if (s instanceof z.ZodNumber) return s.isInt ? 'integer' : 'number';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodEnum) return 'enum';
  if (s instanceof z.ZodLiteral && [...s.values].every((v) => typeof v === 'string')) return 'enum';
  return undefined;
}

function choicesOf(s: z.ZodType): string[] | undefined {
  if (s instanceof z.ZodEnum) return (s.options as unknown[]).map(String);
  if (s instanceof z.ZodLiteral) return [...s.values].map(String);
  return undefined;
}

export function cliFields(tool: AnyTool): CliField[] {
  const shape = (tool.input as z.ZodObject).shape as Record<string, z.ZodType>;
  const entries = Object.entries(shape);
  const fields: CliField[] = entries.map(([name, schema]) => {
    const { inner, description, defaultValue } = unwrap(schema);
    const required = !schema.safeParse(undefined).success;
    const scalar = scalarKind(inner);
    const field: CliField = {
      name,
      flag: kebab(name),
      kind: scalar ?? (inner instanceof z.ZodArray ? 'array' : 'json'),
      required,
      description: description ?? '',
      positional: false,
      ...(defaultValue === undefined ? {} : { defaultValue }),
    };
    const choices = choicesOf(inner);
    if (choices) field.choices = choices;
    if (inner instanceof z.ZodArray) {
      const el = unwrap(inner.element as z.ZodType).inner;
      field.element = scalarKind(el) ?? 'json';
      const elChoices = choicesOf(el);
      if (elChoices) field.choices = elChoices;
    }
    return field;
  });

  // A tool names its positionals; otherwise the first required string reads naturally as one
  // (`genautoml eda <dataset>`).
  const positional = tool.cli?.positional ?? fields.filter((f) => f.required && f.kind === 'string').slice(0, 1).map((f) => f.name);
  positional.forEach((name, i) => {
    const f = fields.find((x) => x.name === name);
    if (!f) throw new Error(`${tool.name}: cli.positional names unknown field "${name}"`);
    if (f.kind === 'array' && i !== positional.length - 1) throw new Error(`${tool.name}: an array positional must come last`);
    f.positional = true;
  });
  for (const f of fields) {
    if (RESERVED_FLAGS.includes(f.flag)) throw new Error(`${tool.name}: field "${f.name}" would take the reserved flag --${f.flag}`);
  }
  return fields;
}

/** Parses one command-line word into the field's (element) kind; throws Error with a readable message. */
export function parseValue(kind: ScalarKind | 'json', raw: string): unknown {
  switch (kind) {
    case 'number':
    case 'integer': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`"${raw}" is not a number`);
      if (kind === 'integer' && !Number.isInteger(n)) throw new Error(`"${raw}" is not an integer`);
      return n;
    }
    case 'boolean':
      if (/^(true|yes|1)$/i.test(raw)) return true;
      if (/^(false|no|0)$/i.test(raw)) return false;
      throw new Error(`"${raw}" is not true or false`);
    case 'json':
      // The schema decides afterwards whether a plain string was acceptable.
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}

/** Array flags accept `--x a --x b` and `--x a,b`. JSON elements are never split on commas. */
export function splitList(kind: ScalarKind | 'json', raw: string): string[] {
  return kind === 'json' ? [raw] : raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}
