import type { Row, SqlValue } from '@strata/core';
import type { RqliteResult } from './client.js';

/**
 * The rows of one read, as Strata's values: a BLOB, which rqlite sends as an array of bytes when asked with
 * `blob_array`, becomes a `Uint8Array`; an integer beyond 2^53, read exactly (see `parseJson`), a bigint, except in a
 * column of REAL affinity, where it is a whole float such as 1e20.
 *
 * rqlite decides between text and BLOB by the column's declared type, not by the value: a BLOB in a column declared
 * TEXT, or from an expression with no declared type (`SELECT x'00'`), comes back as text.
 *
 * @example
 * ```ts
 * rowsOf({ columns: ['id', 'b'], types: ['integer', 'blob'], values: [[1, [0, 255]]] }); // [{ id: 1, b: Uint8Array [0, 255] }]
 * ```
 */
export function rowsOf(result: RqliteResult): Row[] {
  const { columns = [], types = [], values = [] } = result;
  const real = types.map(isRealAffinity);
  return values.map((values) => {
    const row: Record<string, SqlValue> = {};
    columns.forEach((column, index) => {
      row[column] = sqlValueOf(values[index], real[index] === true);
    });
    return row;
  });
}

function sqlValueOf(value: unknown, real: boolean): SqlValue {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  if (typeof value === 'bigint') return real ? Number(value) : value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value as string | number;
}

// SQLite's rule for REAL affinity: the declared type holds REAL, FLOA or DOUB, and no INT (which would win).
function isRealAffinity(type: string): boolean {
  const upper = type.toUpperCase();
  return !upper.includes('INT') && (upper.includes('REAL') || upper.includes('FLOA') || upper.includes('DOUB'));
}
