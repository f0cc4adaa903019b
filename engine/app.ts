/**
 * The services a running genautoml process offers its tools, built once by the composition root
 * (server/app.ts) and passed in. Tools and bots see only this interface.
 */
import type { Config } from './config.js';
import type { Jobs } from './jobs.js';
import type { Logger } from './log.js';
import type { ChatProvider } from './architect/types.js';
import type { RunnerClient } from './runner/client.js';
import type { EnvironmentInfo } from './runner/types.js';
import type { ArtifactStore } from '../storage/artifacts.js';
import type { DatasetRepo } from '../storage/datasets.js';
import type { Database } from '../storage/db.js';
import type { ModelRepo } from '../storage/models.js';
import type { JobQueue } from '../storage/queue.js';
import type { StudyRepo } from '../storage/studies.js';
import type { SubscriptionRepo } from '../storage/subscriptions.js';

/** What this host can run, probed once: the runner's view (Python, torch, device, sandbox) plus versions. */
export type Environment = EnvironmentInfo & { node: string; genautoml: string };

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Database;
  readonly artifacts: ArtifactStore;
  readonly datasets: DatasetRepo;
  readonly models: ModelRepo;
  readonly studies: StudyRepo;
  readonly subscriptions: SubscriptionRepo;
  readonly queue: JobQueue<Jobs>;
  /** Validates, trains, evaluates and exports models in the sandboxed Python runner. */
  readonly runner: RunnerClient;
  /** The neural architect: an LLM provider from the configuration, or the offline architect. */
  architect(): ChatProvider;
  /** Probes Python, PyTorch and bubblewrap once and caches the answer. */
  environment(): Promise<Environment>;
  close(): Promise<void>;
}
