/**
 * Cursor paging shared by the list tools and the MCP resource list: a cursor is an opaque,
 * URL-safe token for "start at this offset of this listing", so a client pages without knowing
 * how the list is stored. A cursor from another listing is refused, not silently misread.
 */
import { z } from 'zod';
import { GenAutoMLError } from '../engine/errors.js';

export const cursorSchema = z.string().min(1).max(200).optional().describe('nextCursor from the previous page; omit for the first page.');

export function encodeCursor(listing: string, offset: number): string {
  return Buffer.from(JSON.stringify({ l: listing, o: offset })).toString('base64url');
}

export function decodeCursor(listing: string, cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  try {
    const v = z.object({ l: z.string(), o: z.number().int().min(0) }).parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (v.l === listing) return v.o;
  } catch {
    // Falls through to the error below.
  }
  throw new GenAutoMLError('tool.bad_cursor', `The cursor is not one this listing (${listing}) handed out.`, {
    hint: 'Pass nextCursor from the previous page unchanged, or omit it to start again.',
  });
}

/** One page of `all` from the cursor's offset, with the next cursor when more remain. */
export function page<T>(listing: string, all: readonly T[], cursor: string | undefined, limit: number): { items: T[]; nextCursor: string | null; offset: number } {
  const offset = decodeCursor(listing, cursor);
  const items = all.slice(offset, offset + limit);
  const next = offset + items.length;
  return { items, offset, nextCursor: next < all.length ? encodeCursor(listing, next) : null };
}
