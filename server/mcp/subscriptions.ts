/**
 * resources/subscribe: a client subscribed to a study (genautoml://studies/{id}, or its trials,
 * leaderboard or result) gets notifications/resources/updated each time the study moves: a trial
 * starts or ends, the best changes, the state changes. Trials are worked by any process, so the
 * study is polled (cheaply, only while someone is subscribed and the study is open) rather than
 * told. Other URIs may be subscribed to as well; the server has nothing that changes under them.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { EmptyResultSchema, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../engine/app.js';
import type { Logger } from '../../engine/log.js';
import { studyService } from './resources.js';

const STUDY_URI = /^genautoml:\/\/studies\/([^/?#]+)(?:\/(?:trials|leaderboard|result))?$/;

export class StudyWatcher {
  private readonly uris = new Set<string>();
  /** Last fingerprint per study id; a study that reached a final state is no longer polled. */
  private readonly seen = new Map<string, string>();
  private readonly finished = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly server: Server,
    private readonly getApp: () => Promise<App>,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {
    server.setRequestHandler(SubscribeRequestSchema, async (request) => {
      this.uris.add(request.params.uri);
      this.schedule();
      return {};
    });
    server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
      this.uris.delete(request.params.uri);
      return EmptyResultSchema.parse({});
    });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.uris.clear();
  }

  private studies(): Map<string, string[]> {
    const by = new Map<string, string[]>();
    for (const uri of this.uris) {
      const m = STUDY_URI.exec(uri);
      if (!m) continue;
      const id = decodeURIComponent(m[1] as string);
      if (this.finished.has(id)) continue;
      by.set(id, [...(by.get(id) ?? []), uri]);
    }
    return by;
  }

  private schedule(): void {
    if (this.timer || this.studies().size === 0) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const by = this.studies();
      if (by.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
        return;
      }
      const app = await this.getApp();
      for (const [id, uris] of by) {
        let fingerprint: string;
        let open = true;
        try {
          const s = await (await studyService()).studyStatus(app, id);
          open = s.state === 'queued' || s.state === 'running' || s.state === 'finalising';
          fingerprint = JSON.stringify([s.state, s.counts, s.best]);
        } catch {
          // A study that does not exist (yet) has nothing to report.
          continue;
        }
        const before = this.seen.get(id);
        this.seen.set(id, fingerprint);
        if (!open) this.finished.add(id);
        // The first look only records where the study stands: nothing has changed yet.
        if (before === undefined || before === fingerprint) continue;
        for (const uri of uris) {
          if (!this.server.transport) return;
          await this.server.sendResourceUpdated({ uri }).catch((err: unknown) => this.logger.debug('resource update not delivered', { err }));
        }
      }
    } catch (err) {
      this.logger.debug('study watch failed', { err });
    } finally {
      this.polling = false;
    }
  }
}

