import type { RunEvent } from '@strata/core';
import type { TextSink } from '../io.js';
import type { View } from '../view.js';
import { stepLine } from './steps.js';
import type { Ticker } from './ticker.js';

/** How long a run goes before the progress line appears; shorter runs would only flicker. */
const PROGRESS_AFTER_MS = 1000;
/**
 * How long finished lines may wait to be written together. A run of a thousand quick migrations would otherwise make a
 * thousand writes to the terminal or pipe, which cost more than the bookkeeping of the migrations themselves.
 */
const FLUSH_EVERY_MS = 100;

/**
 * Prints each migration's line as it finishes and, once a run has taken more than a second, a `[3/10] 004_x …`
 * line on stderr that is rewritten in place. The progress line is drawn only on a terminal and always wiped before
 * anything else is printed, so pipes and logs see the step lines alone.
 *
 * The drivers are synchronous underneath, so nothing this thread schedules can draw while a statement runs; the line
 * is updated as each migration and each of its statements starts (`[3/10] 004_x … statement 12/40`), and a
 * {@link Ticker}, given for a terminal, keeps it alive with the elapsed time while one statement runs for seconds.
 * Finished lines are written in batches, at least every tenth of a second and before anything else is drawn or printed.
 */
export class LiveRun {
  private startedAt: number | undefined;
  private drawn = 0;
  private step = '';
  private readonly finished: string[] = [];
  private flushedAt = 0;

  constructor(
    private readonly view: View,
    private readonly stderr: TextSink,
    private readonly now: () => number = () => performance.now(),
    private readonly ticker?: Ticker,
  ) {}

  /** The `onEvent` callback to give the manager. */
  readonly onEvent = (event: RunEvent): void => {
    if (event.type === 'start') {
      this.startedAt ??= this.now();
      this.step = `[${event.index + 1}/${event.total}] ${event.migration.folder}`;
      this.progress(`${this.step} …`);
      this.tick(`${this.step} …`, true);
    } else if (event.type === 'statement') {
      // Between statements is the only moment a synchronous driver lets this thread draw anything.
      if (event.total > 1) {
        this.progress(`${this.step} … statement ${event.index + 1}/${event.total}`);
        this.tick(`${this.step} … statement ${event.index + 1}/${event.total}`, false);
      }
    } else {
      this.wipe();
      this.finished.push(stepLine(event.step, this.view.color));
      if (this.now() - this.flushedAt >= FLUSH_EVERY_MS) this.flush();
    }
  };

  /** Writes the finished lines not written yet and wipes the progress line; call before printing a summary or an error. */
  clear(): void {
    this.wipe();
    this.flush();
  }

  private flush(): void {
    this.flushedAt = this.now();
    if (this.finished.length === 0) return;
    this.view.out(this.finished.join('\n'));
    this.finished.length = 0;
  }

  private wipe(): void {
    const width = Math.max(this.drawn, this.ticker?.hide() ?? 0);
    this.drawn = 0;
    if (width === 0) return;
    // Spaces rather than an erase-line escape, so even a dumb terminal ends up clean.
    this.stderr.write(`\r${' '.repeat(width)}\r`);
  }

  /** Hands the line to the ticker, which draws it only if the statement that starts now runs for a second or more. */
  private tick(text: string, newStep: boolean): void {
    if (this.stderr.isTTY === true) this.ticker?.show(text, newStep);
  }

  private progress(text: string): void {
    if (this.stderr.isTTY === true && this.startedAt !== undefined && this.now() - this.startedAt > PROGRESS_AFTER_MS) {
      this.draw(text);
    }
  }

  private draw(text: string): void {
    this.clear();
    this.stderr.write(text);
    this.drawn = text.length;
  }
}
