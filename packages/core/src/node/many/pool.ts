import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { DriverFactory, DriverThread, OpenOptions } from '../../driver.js';
import { type SerializedError, StrataError } from '../../errors.js';
import type { MigrationSet } from '../../migration.js';
import { type ManyKind, rowError, type WorkContext, type WorkResult, workOn } from './database-work.js';

/** What a worker thread is started with: the checked set as plain data, and how to open each database. */
interface ThreadData {
  readonly [MARK]: true;
  readonly kind: ManyKind;
  readonly set: MigrationSet;
  readonly driver: DriverThread;
  readonly table: string | undefined;
  readonly settings: OpenOptions;
  readonly to: string | undefined;
}

/** A database for a worker, and its answer. */
type Task = { readonly index: number; readonly file: string };
type Answer = { readonly index: number; readonly result: WorkResult };

// The worker is this very module, started again in a thread: so it is found wherever a bundler puts this code, as
// long as the module's chunk is loaded for it (import.meta.url is the chunk's), without a file of its own to ship.
const MARK = 'strataManyDatabases';

if (!isMainThread && parentPort !== null && (workerData as Partial<ThreadData> | null)?.[MARK] === true) {
  serveThread(parentPort, workerData as ThreadData);
}

/** The worker side: loads the driver once, then runs each database it is sent, one at a time. */
function serveThread(port: NonNullable<typeof parentPort>, data: ThreadData): void {
  const context = (async (): Promise<WorkContext> => {
    const loaded = (await import(data.driver.module)) as Record<string, DriverFactory | undefined>;
    const factory = loaded[data.driver.export];
    if (factory === undefined) throw new Error(`${data.driver.module} exports no ${data.driver.export}`);
    return { kind: data.kind, set: data.set, factory, table: data.table, settings: data.settings, to: data.to };
  })();
  // A driver that cannot be loaded fails each database it is sent, below; unawaited, it would end the thread.
  context.catch(() => undefined);
  port.on('message', async (task: Task) => {
    let result: WorkResult;
    try {
      result = await workOn(await context, task.file);
    } catch (error) {
      // Only the driver's module failing to load gets here: workOn reports everything else as a row.
      result = failedRow(data.kind, task.file, rowError(error, task.file));
    }
    port.postMessage({ index: task.index, result } satisfies Answer);
  });
}

/** How {@link runPool} runs: the per-database context, where a thread finds the driver, how many at once. */
export interface PoolOptions {
  readonly context: WorkContext;
  readonly concurrency: number;
  readonly failFast: boolean;
  /** Told as each database finishes. */
  readonly onResult: (index: number, result: WorkResult) => void;
}

/**
 * Runs every target once: on this thread one after the other when `concurrency` is 1 or the driver cannot be loaded
 * in a thread, otherwise in `concurrency` worker threads, each given the set once and then one database at a time.
 * With `failFast`, no database starts after a failure; the caller counts those not reported as not started.
 */
export async function runPool(targets: readonly string[], options: PoolOptions): Promise<void> {
  const { context, failFast, onResult } = options;
  const thread = context.factory.thread;
  if (options.concurrency <= 1 || thread === undefined) {
    for (const [index, file] of targets.entries()) {
      const result = await workOn(context, file);
      onResult(index, result);
      if (failFast && result.result === 'failed') return;
    }
    return;
  }
  const data: ThreadData = {
    [MARK]: true,
    kind: context.kind,
    set: plainSet(context.set),
    driver: thread,
    table: context.table,
    settings: context.settings,
    to: context.to,
  };
  let next = 0;
  let stopped = false;
  const runWorker = () =>
    new Promise<void>((resolve) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: data });
      let current: Task | undefined;
      const send = () => {
        if (stopped || next >= targets.length) {
          current = undefined;
          void worker.terminate().then(() => resolve());
          return;
        }
        current = { index: next, file: targets[next] as string };
        next += 1;
        worker.postMessage(current);
      };
      worker.on('message', ({ index, result }: Answer) => {
        onResult(index, result);
        if (failFast && result.result === 'failed') stopped = true;
        send();
      });
      // A thread that dies (out of memory, a crash in a native library) fails the database it was on; the rest of
      // its share goes to a new thread.
      worker.on('error', (error) => {
        const task = current;
        current = undefined;
        if (task !== undefined) {
          const failure = new StrataError('DATABASE_ERROR', `the thread migrating ${task.file} stopped: ${String(error)}`, {
            file: task.file,
            cause: error,
          });
          onResult(task.index, failedRow(context.kind, task.file, failure.toJSON()));
          if (failFast) stopped = true;
        }
        void worker.terminate();
        runWorker().then(resolve);
      });
      send();
    });
  await Promise.all(Array.from({ length: options.concurrency }, runWorker));
}

/**
 * How many threads to use: `concurrency` when given (a whole number of at least 1), else one per core, and never
 * more than there are targets.
 */
export function threadCount(concurrency: number | undefined, targets: number): number {
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new StrataError('INVALID_OPTION', `concurrency must be a whole number of at least 1, not ${concurrency}`);
  }
  return Math.max(1, Math.min(concurrency ?? availableParallelism(), targets));
}

/**
 * The set as plain data a thread can be sent: each migration's own fields, its down.sql read now (a loader reads it
 * when first needed, through a function no thread can be sent). The set was checked whole first, so reading them
 * cannot fail here.
 */
function plainSet(set: MigrationSet): MigrationSet {
  return { migrations: set.migrations.map((m) => ({ ...m })), problems: [] };
}

/** The row of a database that failed with `error`, for the kind of run. */
export function failedRow(kind: ManyKind, file: string, error: SerializedError): WorkResult {
  if (kind === 'migrate') return { file, result: 'failed', from: null, to: null, applied: 0, durationMs: 0, error };
  return { file, result: 'failed', version: null, applied: 0, pending: 0, problems: [error], durationMs: 0 };
}
