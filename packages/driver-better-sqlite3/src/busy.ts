import { StrataError } from '@strata/core';
import { databaseHolders, describeHolders } from '@strata/core/node/files';

/**
 * The `LOCK_TIMEOUT` for an error SQLite raised because another connection kept its lock for longer than the busy
 * timeout (`SQLITE_BUSY` and its extended codes), naming the other processes that have the file open or locked where
 * the system tells (Linux); undefined for any other error.
 *
 * @example
 * ```ts
 * throw lockTimeoutOf(error, 'data/app.db', 5000) ?? error;
 * ```
 */
export function lockTimeoutOf(error: unknown, file: string, busyTimeoutMs: number): StrataError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) return undefined;
  // Every other process that has the database open may be the one: in WAL mode they all hold shared locks on it.
  const holders = databaseHolders(file).filter((holder) => holder.pid !== process.pid);
  const by = holders.length === 0 ? 'another connection' : describeHolders(holders);
  return new StrataError(
    'LOCK_TIMEOUT',
    `waited ${busyTimeoutMs} ms for ${by} to release its lock on ${file}: SQLite answered "${(error as Error).message}". ` +
      'Raise the busy timeout (busyTimeoutMs, --busy-timeout) to wait longer, or stop the program that keeps it',
    { file, cause: error },
  );
}
