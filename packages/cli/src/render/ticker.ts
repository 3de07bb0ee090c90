import { Worker } from 'node:worker_threads';

/**
 * Keeps a progress line alive while the main thread is busy in one long statement: the drivers are synchronous, so
 * nothing the main thread schedules can run until the statement ends, but a worker thread can still write.
 */
export interface Ticker {
  /**
   * From now on, while nothing else is drawn, `text` is redrawn every quarter second, once the step has lasted a
   * second, with the time since the step began after it (`… · 12s`). `newStep` restarts that time.
   */
  show(text: string, newStep: boolean): void;
  /** Stops drawing until the next {@link show}; returns the width of the line it drew since, 0 when none. */
  hide(): number;
}

// Slots of the shared memory: which show() the worker may draw for (0: none), the width it drew, who holds the pen.
const ACTIVE = 0;
const DRAWN = 1;
const PEN = 2;
const FREE = 0;
const TAKEN = 1;

// The worker: runs in its own thread, so its timer fires while the main thread is inside a statement. It writes with
// writeSync to the descriptor itself, since its process.stderr would be passed through the busy main thread.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const shared = new Int32Array(workerData.buffer);
let current = { text: '', id: 0, since: Date.now(), line: '' };
parentPort.on('message', (message) => {
  current = { text: message.text, id: message.id, since: message.newStep ? Date.now() : current.since, line: '' };
});
setInterval(() => {
  const seconds = Math.floor((Date.now() - current.since) / 1000);
  if (seconds < 1 || Atomics.compareExchange(shared, ${PEN}, ${FREE}, ${TAKEN}) !== ${FREE}) return;
  try {
    if (Atomics.load(shared, ${ACTIVE}) !== current.id) return;
    const line = current.text + ' · ' + seconds + 's';
    const drawn = Atomics.load(shared, ${DRAWN});
    // Written when the line changes (a second passed) or was wiped meanwhile, not four times a second.
    if (line === current.line && drawn > 0) return;
    const width = Math.max(line.length, drawn);
    writeSync(workerData.fd, '\\r' + line.padEnd(width));
    Atomics.store(shared, ${DRAWN}, width);
    current.line = line;
  } catch {
    // A terminal that went away: nothing to draw on.
  } finally {
    Atomics.store(shared, ${PEN}, ${FREE});
  }
}, ${250});
`;

/**
 * The {@link Ticker} of a terminal on file descriptor `fd` (2 for stderr), drawing from a worker thread that never
 * keeps the process alive.
 *
 * @example
 * ```ts
 * const live = new LiveRun(view, process.stderr, undefined, process.stderr.isTTY ? threadTicker(2) : undefined);
 * ```
 */
export function threadTicker(fd: number): Ticker {
  const buffer = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const shared = new Int32Array(buffer);
  let worker: Worker | undefined;
  let id = 0;
  const withPen = <T>(work: () => T): T => {
    // The worker holds the pen for one write only.
    while (Atomics.compareExchange(shared, PEN, FREE, TAKEN) !== FREE);
    try {
      return work();
    } finally {
      Atomics.store(shared, PEN, FREE);
    }
  };
  return {
    show(text, newStep) {
      // Started with the first step only: a run with nothing to do never pays for a thread.
      if (worker === undefined) {
        worker = new Worker(WORKER, { eval: true, workerData: { buffer, fd } });
        worker.unref();
      }
      id += 1;
      worker.postMessage({ text, id, newStep });
      Atomics.store(shared, ACTIVE, id);
    },
    hide() {
      return withPen(() => {
        Atomics.store(shared, ACTIVE, 0);
        const drawn = Atomics.load(shared, DRAWN);
        Atomics.store(shared, DRAWN, 0);
        return drawn;
      });
    },
  };
}
