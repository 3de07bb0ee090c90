// The messages between the reader pool (main thread) and its worker threads. Types only: both sides import them, and
// nothing here runs. Errors cross as plain data because structured cloning drops an Error's `code`.
import type { Row, SqlValue } from '@strata/core';

/** What a worker is told when it starts (`workerData`). */
export interface ReaderWorkerData {
  readonly file: string;
  readonly busyTimeoutMs: number;
}

/** One statement for a worker to run. */
export interface ReaderRequest {
  readonly id: number;
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** An error as it crosses the thread boundary: SQLite's message and code (`SQLITE_ERROR`, …). */
export interface ReaderFailure {
  readonly message: string;
  readonly code: string | undefined;
}

/**
 * What a worker posts back: once `ready` or `failed` after opening, then per request one `rows`, `error` (SQLite's),
 * or `refused` (a statement that writes or returns no rows).
 */
export type ReaderReply =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: ReaderFailure }
  | { readonly type: 'rows'; readonly id: number; readonly rows: Row[] }
  | { readonly type: 'error'; readonly id: number; readonly error: ReaderFailure }
  | { readonly type: 'refused'; readonly id: number };

/** The message and code of anything thrown, for posting across threads. */
export function failureOf(error: unknown): ReaderFailure {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return { message: error instanceof Error ? error.message : String(error), code };
}
