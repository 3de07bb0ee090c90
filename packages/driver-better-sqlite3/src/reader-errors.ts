// The errors of the reader pool in `readers.ts`, each a StrataError that names the database file and, for a query,
// its statement.
import { StrataError } from '@strata/core';
import Database from 'better-sqlite3';
import { lockTimeoutOf } from './busy.js';
import type { ReaderFailure } from './reader-protocol.js';

/**
 * An error SQLite raised in a reader thread: `LOCK_TIMEOUT` for a lock held past the busy timeout, else
 * `DATABASE_ERROR`. Its `cause` is better-sqlite3's `SqliteError` with SQLite's code, as the main-thread connection
 * throws it.
 *
 * @example
 * ```ts
 * request.reject(sqliteFailure(reply.error, { file, busyTimeoutMs }, request.sql));
 * ```
 */
export function sqliteFailure(
  failure: ReaderFailure,
  pool: { readonly file: string; readonly busyTimeoutMs: number },
  sql: string | undefined,
): StrataError {
  const cause = failure.code === undefined ? new Error(failure.message) : new Database.SqliteError(failure.message, failure.code);
  const doing = sql === undefined ? `opening ${pool.file} in a reader thread` : `reading ${pool.file}: ${sql}`;
  const code = failure.code === undefined ? '' : ` (${failure.code})`;
  return (
    lockTimeoutOf(cause, pool.file, pool.busyTimeoutMs) ??
    new StrataError('DATABASE_ERROR', `${failure.message}${code}, ${doing}`, { cause })
  );
}

/**
 * `WRITE_REFUSED`: the pool runs only statements that read and return rows.
 *
 * @example
 * ```ts
 * request.reject(writeRefused(file, request.sql));
 * ```
 */
export function writeRefused(file: string, sql: string): StrataError {
  return new StrataError(
    'WRITE_REFUSED',
    `the reader pool on ${file} runs only read-only statements that return rows; run this one on the main connection (driver or kysely): ${sql}`,
  );
}

/**
 * `READER_STOPPED`: the thread that held a query stopped before answering it (`sql` given), or none is left (`why`
 * then lists why each stopped).
 *
 * @example
 * ```ts
 * request.reject(readerStopped(file, `exit code ${code}`, request.sql));
 * ```
 */
export function readerStopped(file: string, why: string, sql?: string, cause?: unknown): StrataError {
  const message =
    sql === undefined
      ? `every reader thread of the pool on ${file} has stopped (${why}); close the pool and open another`
      : `the reader thread running this query on ${file} stopped (${why}) before it answered: ${sql}`;
  return new StrataError('READER_STOPPED', message, cause === undefined ? {} : { cause });
}

/**
 * `READERS_CLOSED`: the pool was closed before the query was sent (no `sql`) or answered.
 *
 * @example
 * ```ts
 * throw readersClosed(file);
 * ```
 */
export function readersClosed(file: string, sql?: string): StrataError {
  return new StrataError(
    'READERS_CLOSED',
    sql === undefined
      ? `the reader pool on ${file} is closed`
      : `the reader pool on ${file} was closed before this query was answered: ${sql}`,
  );
}
