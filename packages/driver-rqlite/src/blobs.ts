import { type SqlValue, StrataError } from '@strata/core';
import type { WireStatement } from './json.js';

/**
 * Writes each BLOB parameter into the SQL as a literal (`X'0aff'`), since rqlite's JSON API cannot carry one: the
 * k-th `?` of the statement, outside strings, quoted names and comments, is the k-th parameter, so the literal takes
 * its place and the parameter is dropped. A statement with numbered or named parameters (`?2`, `:name`) and a BLOB
 * among them is `NOT_SUPPORTED`: their places cannot be told from the order of the values.
 *
 * @example
 * ```ts
 * inlineBlobs({ sql: 'INSERT INTO t VALUES (?, ?)', params: [1, Uint8Array.of(0, 255)] });
 * // { sql: "INSERT INTO t VALUES (?, X'00ff')", params: [1] }
 * ```
 */
export function inlineBlobs(statement: WireStatement): WireStatement {
  const { sql, params = [] } = statement;
  if (!params.some((value) => value instanceof Uint8Array)) return statement;
  const places = placeholders(sql);
  if (places === undefined || places.length !== params.length)
    throw new StrataError(
      'NOT_SUPPORTED',
      "rqlite's HTTP API takes no BLOB parameter, and this statement's parameters are not plain ? in order; write the bytes as a literal (X'0aff…')",
    );
  let text = '';
  let from = 0;
  const kept: SqlValue[] = [];
  params.forEach((value, index) => {
    if (!(value instanceof Uint8Array)) {
      kept.push(value);
      return;
    }
    const at = places[index] as number;
    text += `${sql.slice(from, at)}X'${hex(value)}'`;
    from = at + 1;
  });
  return { sql: text + sql.slice(from), params: kept };
}

/** The offsets of the plain `?` parameters of `sql`, or undefined when it has a numbered or named one. */
function placeholders(sql: string): number[] | undefined {
  const found: number[] = [];
  for (let at = 0; at < sql.length; at++) {
    const c = sql[at];
    const close = c === "'" ? "'" : c === '"' ? '"' : c === '`' ? '`' : c === '[' ? ']' : undefined;
    if (close !== undefined) {
      const end = sql.indexOf(close, at + 1);
      at = end < 0 ? sql.length : end;
    } else if (c === '-' && sql[at + 1] === '-') {
      const end = sql.indexOf('\n', at);
      at = end < 0 ? sql.length : end;
    } else if (c === '/' && sql[at + 1] === '*') {
      const end = sql.indexOf('*/', at + 2);
      at = end < 0 ? sql.length : end + 1;
    } else if (c === '?') {
      if (/\d/.test(sql[at + 1] ?? '')) return undefined;
      found.push(at);
    } else if ((c === ':' || c === '@' || c === '$') && /[A-Za-z_]/.test(sql[at + 1] ?? '')) {
      return undefined;
    }
  }
  return found;
}

function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}
