/** Process lifecycle shared by the long-running commands: one graceful stop, a second signal forces. */
import type { Logger } from '../engine/log.js';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Resolves with the first SIGINT or SIGTERM. A second signal while shutting down exits at once
 * (code 130), so a stuck cleanup never traps the operator.
 */
export function waitForShutdownSignal(logger?: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        logger?.warn('second signal: exiting without cleanup', { signal });
        process.exit(130);
      }
      received = true;
      logger?.info('shutting down', { signal });
      resolve(signal);
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });
}
