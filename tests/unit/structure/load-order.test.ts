/**
 * discord.js loads after vega-lite: vega-lite patches Set.prototype.toJSON, which a dependency
 * of discord.js trips over at load (bots/discord/discord-js.ts). This file loads them in the
 * order that used to throw, in a fresh test process, and checks vega-lite keeps its patch.
 */
import { expect, it } from 'vitest';

it('loads the Discord bot after the plots (vega-lite) and leaves vega-lite its Set.toJSON', async () => {
  await import('../../../engine/plots/render.js');
  const patched = Object.getOwnPropertyDescriptor(Set.prototype, 'toJSON');
  // The trap is armed: vega-lite has loaded and patched Set.
  expect(typeof patched?.value).toBe('function');
  // The bot loads discord.js through this module only (tests/unit/structure/imports.test.ts).
  const { DiscordJs } = await import('../../../bots/discord/discord-js.js');
  expect(typeof DiscordJs.Client).toBe('function');
  expect(Object.getOwnPropertyDescriptor(Set.prototype, 'toJSON')).toEqual(patched);
});
