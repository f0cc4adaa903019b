/** A progress bar on stderr, created on the first report so quick tools print nothing extra. */
import cliProgress from 'cli-progress';
import type { Progress, ProgressReporter } from '../../tools/define.js';

export interface ProgressBar {
  report: ProgressReporter;
  stop(): void;
}

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  let bar: cliProgress.SingleBar | undefined;
  const report = (p: Progress): void => {
    const total = p.total ?? Math.max(p.done, 1);
    const payload = { message: p.message ?? '' };
    if (!bar) {
      bar = new cliProgress.SingleBar(
        { stream, format: '{bar} {percentage}% | {value}/{total} {message}', hideCursor: true, clearOnComplete: false, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, p.done, payload);
      return;
    }
    bar.setTotal(total);
    bar.update(p.done, payload);
  };
  return {
    report,
    stop: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}
