/**
 * discord.js, loadable after vega-lite. vega-lite (engine/plots) patches `Set.prototype.toJSON`
 * when it loads; @vladfrangu/async_event_emitter, which discord.js bundles, walks the
 * zero-argument methods of `Set.prototype` at load, calls each and expects an iterator, and
 * throws on that method's string. The first import takes the patch off while discord.js
 * evaluates (ES modules evaluate in import order); this module's body puts it back at once.
 */
import { restoreSetToJson } from './set-tojson-off.js';
import * as DiscordJs from 'discord.js';

restoreSetToJson();

export { DiscordJs };
