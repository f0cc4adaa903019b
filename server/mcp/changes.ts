/**
 * "The resource lists changed" within one process: a tool call that stores something (a dataset,
 * a model, a study, an export) signals it here, and every MCP session of the process sends
 * notifications/resources/list_changed, so the capability the server advertises is kept.
 */
import { EventEmitter } from 'node:events';
import type { App } from '../../engine/app.js';

const buses = new WeakMap<App, EventEmitter>();

function bus(app: App): EventEmitter {
  let b = buses.get(app);
  if (!b) {
    b = new EventEmitter();
    // One listener per open session; a busy HTTP server has many.
    b.setMaxListeners(0);
    buses.set(app, b);
  }
  return b;
}

export function signalListChanged(app: App): void {
  bus(app).emit('changed');
}

/** Calls `listener` on every change until the returned function is called. */
export function onListChanged(app: App, listener: () => void): () => void {
  const b = bus(app);
  b.on('changed', listener);
  return () => b.off('changed', listener);
}
