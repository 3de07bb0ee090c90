import type { Worker } from 'node:worker_threads';
import { DEFAULT_SETTINGS, type ReaderPool, type Row, type SqlValue, StrataError } from '@strata/core';
import Database from 'better-sqlite3';
import type { ReaderFailure, ReaderReply, ReaderWorkerData } from './reader-protocol.js';

/**
 * Options of {@link createReaderPool}.
 *
 * @example
 * ```ts
 * const pool = await createReaderPool('data/app.db', 3, { busyTimeoutMs: 10_000 });
 * ```
 */
export interface ReaderPoolOptions {
  /** How long a reader waits for a lock (rare in WAL: only while the file is recovered or checkpointed). Default 5000. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens `size` read-only connections on `file`, each in its own worker thread, and runs queries on them.
 *
 * Why threads: better-sqlite3 is synchronous, so a query blocks the thread that runs it, and any number of
 * connections on the main thread still run one query at a time while the event loop waits. The pattern that serves a
 * Node server is one writer on the main thread (the Strata driver, kysely) plus readers in worker threads: in WAL
 * mode they read a consistent snapshot while the writer commits, and a slow report no longer stalls every request.
 *
 * Size: about the number of CPU cores minus one (the main thread keeps one), fewer when reads are rare; each reader
 * holds a connection and its page cache. The file must exist and should be in WAL mode (`betterSqlite3.open` sets
 * it); in another journal mode readers and the writer block each other.
 *
 * `query()` goes to the reader with the fewest requests in flight and resolves with its rows. Statements that write,
 * or return no rows, are refused with code `SQLITE_READONLY`; SQLite's errors come back as better-sqlite3's
 * `SqliteError` with SQLite's message and code. Idle threads do not keep the process alive, busy ones do until
 * they answer. `close()` stops the threads and rejects what is still in flight; calling it twice is harmless.
 *
 * @example
 * ```ts
 * const pool = await createReaderPool('data/app.db', Math.max(1, os.availableParallelism() - 1));
 * const users = await pool.query<{ id: number; email: string }>('SELECT id, email FROM users WHERE id > ?', [10]);
 * await pool.close();
 * ```
 */
export async function createReaderPool(file: string, size: number, options: ReaderPoolOptions = {}): Promise<ReaderPool> {
  if (!Number.isInteger(size) || size < 1) {
    throw new StrataError('INVALID_OPTION', `a reader pool needs a whole number of readers, at least 1, not ${size}`);
  }
  const data: ReaderWorkerData = { file, busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_SETTINGS.busyTimeoutMs };
  // Loaded here, not with the driver: most processes (every `migrate` run among them) never start a thread.
  const { Worker: WorkerThread } = await import('node:worker_threads');
  const readers = Array.from({ length: size }, () => new Reader(new WorkerThread(READER_SCRIPT, { workerData: data })));
  const started = await Promise.allSettled(readers.map((reader) => reader.started));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(readers.map((reader) => reader.close()));
    throw failed.reason;
  }

  let closing: Promise<void> | undefined;
  return {
    size,
    async query<R extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
      const running = readers.filter((reader) => reader.running);
      if (closing !== undefined || running.length === 0) throw new Error('the reader pool is closed');
      const leastBusy = running.reduce((best, reader) => (reader.load < best.load ? reader : best));
      return (await leastBusy.query(sql, params)) as R[];
    },
    close() {
      closing ??= Promise.all(readers.map((reader) => reader.close())).then(() => undefined);
      return closing;
    },
  };
}

// The worker's compiled JS sits beside this file in dist, in source and in the published package alike.
const READER_SCRIPT = new URL('./reader-worker.js', import.meta.url);

interface Pending {
  resolve(rows: Row[]): void;
  reject(error: Error): void;
}

/** One worker thread and the requests it has not answered yet. */
class Reader {
  readonly started: Promise<void>;
  running = false;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(worker: Worker) {
    this.worker = worker;
    this.started = new Promise((resolve, reject) => {
      this.worker.on('message', (reply: ReaderReply) => {
        if (reply.type === 'ready') {
          this.running = true;
          // Referenced until now so that a script awaiting the pool does not exit while the threads start.
          this.worker.unref();
          resolve();
        } else if (reply.type === 'failed') {
          reject(sqliteError(reply.error));
        } else {
          this.settle(reply.id, reply.type === 'rows' ? reply.rows : sqliteError(reply.error));
        }
      });
      // An uncaught error in the thread or its exit ends every request it holds; after startup, reject() is a no-op.
      this.worker.on('error', (error) => {
        reject(error);
        this.stop(error);
      });
      this.worker.on('exit', (code) => {
        const error = new Error(`a reader thread stopped (exit code ${code})`);
        reject(error);
        this.stop(error);
      });
    });
  }

  /** Requests sent and not yet answered. */
  get load(): number {
    return this.pending.size;
  }

  query(sql: string, params: readonly SqlValue[]): Promise<Row[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Referenced while it owes an answer, so a script awaiting a query does not exit under it.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, sql, params });
    });
  }

  async close(): Promise<void> {
    this.stop(new Error('the reader pool was closed before this query finished'));
    // better-sqlite3 closes the thread's connections when the thread is torn down.
    await this.worker.terminate();
  }

  private settle(id: number, result: Row[] | Error): void {
    const request = this.pending.get(id);
    if (request === undefined) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    if (result instanceof Error) request.reject(result);
    else request.resolve(result);
  }

  private stop(error: Error): void {
    this.running = false;
    for (const id of [...this.pending.keys()]) this.settle(id, error);
  }
}

// The same error class the main-thread connection throws, so callers branch on `code` alike for both.
function sqliteError(failure: ReaderFailure): Error {
  return failure.code === undefined ? new Error(failure.message) : new Database.SqliteError(failure.message, failure.code);
}
