/** Takes vega-lite's `Set.prototype.toJSON` off while discord.js loads (see discord-js.ts). */
const saved = Object.getOwnPropertyDescriptor(Set.prototype, 'toJSON');
if (saved) Reflect.deleteProperty(Set.prototype, 'toJSON');

/** Puts it back, so vega-lite still hashes specs holding sets as it expects. */
export function restoreSetToJson(): void {
  if (saved && !Object.getOwnPropertyDescriptor(Set.prototype, 'toJSON')) Object.defineProperty(Set.prototype, 'toJSON', saved);
}
