import type { Worker } from 'node:worker_threads';
import { DEFAULT_SETTINGS, type ReaderPool, type Row, type SqlValue, StrataError } from '@strata/core';
import { readerStopped, readersClosed, sqliteFailure, writeRefused } from './reader-errors.js';
import type { ReaderReply, ReaderWorkerData } from './reader-protocol.js';

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
 * `query()` goes to the reader with the fewest requests in flight and resolves with its rows. Every error is a
 * `StrataError` naming the file and the statement: `WRITE_REFUSED` for a statement that writes or returns no rows;
 * `DATABASE_ERROR` for SQLite's errors, with better-sqlite3's `SqliteError` (SQLite's message and code) as `cause`;
 * `LOCK_TIMEOUT` past the busy timeout; `READER_STOPPED` when the thread holding the query stops before answering
 * (the others go on serving); `READERS_CLOSED` once the pool is closed. Idle threads do not keep the process alive,
 * busy ones do until they answer. `close()` stops the threads and rejects what is still in flight with
 * `READERS_CLOSED`; calling it twice is harmless. A pool that cannot start (a file that does not exist:
 * `DATABASE_ERROR`) closes what it started.
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
  const readers = Array.from({ length: size }, () => new Reader(new WorkerThread(READER_SCRIPT, { workerData: data }), data));
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
      if (closing !== undefined) throw readersClosed(file);
      const running = readers.filter((reader) => reader.running);
      const [first] = running;
      if (first === undefined) throw readerStopped(file, readers.map((reader) => reader.stoppedBecause).join(', '));
      const leastBusy = running.reduce((best, reader) => (reader.load < best.load ? reader : best), first);
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
  readonly sql: string;
  resolve(rows: Row[]): void;
  reject(error: StrataError): void;
}

/** One worker thread and the requests it has not answered yet. */
class Reader {
  readonly started: Promise<void>;
  running = false;
  /** Why the thread stopped, once it has: `exit code 1`, or the error it threw. */
  stoppedBecause: string | undefined;
  private readonly worker: Worker;
  private readonly pool: ReaderWorkerData;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(worker: Worker, pool: ReaderWorkerData) {
    this.worker = worker;
    this.pool = pool;
    this.started = new Promise((resolve, reject) => {
      this.worker.on('message', (reply: ReaderReply) => {
        if (reply.type === 'ready') {
          this.running = true;
          // Referenced until now so that a script awaiting the pool does not exit while the threads start.
          this.worker.unref();
          resolve();
        } else if (reply.type === 'failed') {
          reject(sqliteFailure(reply.error, this.pool, undefined));
        } else {
          this.settle(reply.id, (sql) => {
            if (reply.type === 'rows') return reply.rows;
            return reply.type === 'refused' ? writeRefused(this.pool.file, sql) : sqliteFailure(reply.error, this.pool, sql);
          });
        }
      });
      // An uncaught error in the thread or its exit ends every request it holds; after startup, reject() is a no-op.
      this.worker.on('error', (error) => {
        reject(readerStopped(this.pool.file, `it threw: ${error.message}`, undefined, error));
        this.stop(`it threw: ${error.message}`, error);
      });
      this.worker.on('exit', (code) => {
        reject(readerStopped(this.pool.file, `exit code ${code}`));
        this.stop(`exit code ${code}`);
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
      this.pending.set(id, { sql, resolve, reject });
      this.worker.postMessage({ id, sql, params });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.running = false;
    for (const id of [...this.pending.keys()]) this.settle(id, (sql) => readersClosed(this.pool.file, sql));
    // better-sqlite3 closes the thread's connections when the thread is torn down.
    await this.worker.terminate();
  }

  private settle(id: number, result: (sql: string) => Row[] | StrataError): void {
    const request = this.pending.get(id);
    if (request === undefined) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    const outcome = result(request.sql);
    if (outcome instanceof StrataError) request.reject(outcome);
    else request.resolve(outcome);
  }

  /** The thread stopped by itself: what it held fails with `READER_STOPPED`, and it takes no more requests. */
  private stop(why: string, cause?: unknown): void {
    if (this.closed) return;
    this.running = false;
    this.stoppedBecause ??= why;
    for (const id of [...this.pending.keys()]) this.settle(id, (sql) => readerStopped(this.pool.file, why, sql, cause));
  }
}
