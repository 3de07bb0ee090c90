import type { Row, SqlValue } from '@strata/core';
import type { RqliteResult } from './client.js';

/**
 * The rows of one read, as Strata's values: a BLOB, which rqlite sends as an array of bytes when asked with
 * `blob_array`, becomes a `Uint8Array`; an integer beyond 2^53, read exactly (see `parseJson`), a bigint, except in a
 * column of REAL affinity, where it is a whole float such as 1e20.
 *
 * rqlite reads a value of a column declared DATE, DATETIME or TIMESTAMP as a time and sends it in RFC 3339
 * (`2025-01-15T10:30:00Z`); it is given back in SQLite's own form, as `CURRENT_TIMESTAMP` writes it
 * (`2025-01-15 10:30:00`). A value stored in another form (a date alone, a `T`, an integer) cannot be told apart:
 * select it as an expression (`CAST(applied_at AS TEXT)`), which has no declared type, to read it as stored.
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
  const time = types.map((type) => TIME_TYPES.test(type));
  return values.map((values) => {
    const row: Record<string, SqlValue> = {};
    columns.forEach((column, index) => {
      const value = sqlValueOf(values[index], real[index] === true);
      row[column] = time[index] === true && typeof value === 'string' ? sqliteTime(value) : value;
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

const TIME_TYPES = /^(date|datetime|timestamp)$/i;
const RFC3339_UTC = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$/;

function sqliteTime(value: string): string {
  const parts = RFC3339_UTC.exec(value);
  return parts === null ? value : `${parts[1]} ${parts[2]}`;
}
