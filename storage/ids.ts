import { randomBytes } from 'node:crypto';

/** Short, prefixed, URL-safe ids: `ds_7f3k2m9q`. The prefix says what kind of object it names. */
export function newId(prefix: 'ds' | 'md' | 'st'): string {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  const bytes = randomBytes(10);
  let out = '';
  for (const b of bytes) out += alphabet[b % 32];
  return `${prefix}_${out}`;
}
