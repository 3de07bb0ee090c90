import type { TextSink } from '../io.js';

/** How far a run over many databases is. */
export interface ProgressCounts {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  readonly elapsedMs: number;
}

const WIDTH = 24;
/** Redrawn at most this often: thousands of databases finish in a few seconds. */
const EVERY_MS = 100;

/**
 * The progress line of a run over many databases on a terminal's stderr, redrawn in place:
 * `[#########---------------] 412/1000 · 2 failed · ETA 6s`.
 *
 * @example
 * ```ts
 * const bar = new ProgressBar(process.stderr);
 * bar.update({ done: 1, total: 10, failed: 0, elapsedMs: 40 });
 * bar.clear();
 * ```
 */
export class ProgressBar {
  private width = 0;
  private drawnAt = 0;

  constructor(private readonly sink: TextSink) {}

  /** Draws the counts, unless a line was drawn less than a tenth of a second ago (the last one is always drawn). */
  update(counts: ProgressCounts): void {
    const now = Date.now();
    if (counts.done < counts.total && now - this.drawnAt < EVERY_MS) return;
    this.drawnAt = now;
    const line = progressLine(counts);
    this.sink.write(`\r${line.padEnd(this.width)}`);
    this.width = line.length;
  }

  /** Wipes the line, so what follows starts on a clean one. */
  clear(): void {
    if (this.width === 0) return;
    this.sink.write(`\r${' '.repeat(this.width)}\r`);
    this.width = 0;
  }
}

/**
 * The text of the progress line; the estimate is the time per database so far times those left.
 *
 * @example
 * ```ts
 * progressLine({ done: 500, total: 1000, failed: 1, elapsedMs: 5000 }); // '[############------------] 500/1000 · 1 failed · ETA 5s'
 * ```
 */
export function progressLine({ done, total, failed, elapsedMs }: ProgressCounts): string {
  const filled = total === 0 ? WIDTH : Math.round((done / total) * WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}]`;
  const failures = failed === 0 ? '' : ` · ${failed} failed`;
  const eta = done === 0 ? '' : ` · ETA ${Math.ceil(((elapsedMs / done) * (total - done)) / 1000)}s`;
  return `${bar} ${done}/${total}${failures}${eta}`;
}
