import type { InValue, ResultSet } from '@libsql/client';
import type { Row, SqlValue } from '@strata/core';

/**
 * The client's arguments for Strata's positional parameters. A number that is an integer goes as a bigint: the client
 * sends every number as a REAL, which a column without an INTEGER affinity would keep as `1.0`, where the other
 * drivers store the integer `1`. The rest pass as they are.
 *
 * @example
 * ```ts
 * await client.execute({ sql: 'INSERT INTO t VALUES (?, ?)', args: argsOf([1, new Uint8Array([1])]) });
 * ```
 */
export function argsOf(params: readonly SqlValue[] = []): InValue[] {
  return params.map((value) => (typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value));
}

/**
 * The rows of a result as plain objects of Strata's values, by column name (a later column of the same name wins, as
 * in better-sqlite3). The client reads integers as bigints, so that none beyond 2^53 fails or loses precision;
 * those that fit a number come back as numbers, as from the other drivers. Blobs come back as `Uint8Array`.
 *
 * @example
 * ```ts
 * const rows = rowsOf<{ n: number }>(await client.execute('SELECT count(*) AS n FROM users'));
 * ```
 */
export function rowsOf<R extends Row = Row>(result: ResultSet): R[] {
  const { columns } = result;
  return result.rows.map((row) => {
    const out: Record<string, SqlValue> = {};
    for (let i = 0; i < columns.length; i++) out[columns[i] as string] = strataValue(row[i]);
    return out as R;
  });
}

function strataValue(value: unknown): SqlValue {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return value as SqlValue;
}
