/**
 * The resumability store for Streamable HTTP (SEP-1699): every SSE event a session sends gets an
 * id, and a client whose stream broke reconnects with `Last-Event-ID` and receives what it
 * missed. Kept in memory per session and bounded, because a session lives in one process and a
 * reconnect comes seconds later; the durable state (studies, trials) is in the database anyway.
 */
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

interface Stored {
  id: string;
  streamId: string;
  message: JSONRPCMessage;
}

export class MemoryEventStore implements EventStore {
  private readonly events: Stored[] = [];
  private seq = 0;

  /** @param limit events kept (oldest dropped first); a reconnect older than that replays what is left. */
  constructor(private readonly limit = 1000) {}

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    // The sequence number orders events across streams; the stream id makes the id self-describing.
    const id = `${++this.seq}_${streamId}`;
    this.events.push({ id, streamId, message });
    if (this.events.length > this.limit) this.events.splice(0, this.events.length - this.limit);
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.find(eventId)?.streamId ?? streamOf(eventId);
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const streamId = (await this.getStreamIdForEventId(lastEventId)) ?? '';
    const after = seqOf(lastEventId);
    for (const e of this.events) {
      if (e.streamId === streamId && seqOf(e.id) > after) await send(e.id, e.message);
    }
    return streamId;
  }

  /** Events held, for tests and the bound check. */
  size(): number {
    return this.events.length;
  }

  private find(eventId: string): Stored | undefined {
    return this.events.find((e) => e.id === eventId);
  }
}

function seqOf(eventId: string): number {
  const n = Number(eventId.split('_', 1)[0]);
  return Number.isFinite(n) ? n : -1;
}

function streamOf(eventId: string): string | undefined {
  const i = eventId.indexOf('_');
  return i > 0 ? eventId.slice(i + 1) : undefined;
}
