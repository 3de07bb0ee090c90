// The parts of sql.js this package calls, and the statement handling that the driver and the kysely adapter share.
// Typed locally because @types/sql.js lags the library; a module from `initSqlJs()` satisfies these interfaces.
import type { Row } from '@strata/core';

/**
 * A value sql.js binds or returns: sql.js has no int64 binding, so bigints are turned into these first.
 *
 * @example
 * ```ts
 * const values: SqlJsValue[] = ['text', 42, new Uint8Array([1]), null];
 * ```
 */
export type SqlJsValue = string | number | Uint8Array | null;

/**
 * The methods of a sql.js `Statement` that Strata uses.
 *
 * @example
 * ```ts
 * const statement: SqlJsStatement = driver.database.prepare('SELECT 1');
 * ```
 */
export interface SqlJsStatement {
  bind(values: SqlJsValue[]): boolean;
  step(): boolean;
  get(): SqlJsValue[];
  getColumnNames(): string[];
  free(): boolean;
}

/**
 * The methods of a sql.js `Database` that Strata uses.
 *
 * @example
 * ```ts
 * const bytes = driver.database.export();
 * ```
 */
export interface SqlJsDatabase {
  /** Runs a script of statements, ignoring rows. */
  run(sql: string): unknown;
  exec(sql: string): { values: SqlJsValue[][] }[];
  prepare(sql: string): SqlJsStatement;
  getRowsModified(): number;
  export(): Uint8Array;
  close(): void;
}

/**
 * An initialised sql.js module, as `await initSqlJs()` returns it.
 *
 * @example
 * ```ts
 * const SQL: SqlJsStatic = await initSqlJs({ locateFile: (file) => `/assets/${file}` });
 * ```
 */
export interface SqlJsStatic<D extends SqlJsDatabase = SqlJsDatabase> {
  readonly Database: new (data?: Uint8Array) => D;
}

/** Runs one statement and yields its rows as objects; blobs come back as `Uint8Array`, integers as numbers. */
export function* iterateRows(db: SqlJsDatabase, sql: string, params: readonly unknown[]): Generator<Row, void> {
  const statement = db.prepare(sql);
  try {
    statement.bind(params.map(bindable));
    const names = statement.getColumnNames();
    while (statement.step()) {
      const values = statement.get();
      // fromEntries defines own properties, so a column named __proto__ stays data.
      yield Object.fromEntries(names.map((name, i) => [name, values[i] ?? null]));
    }
  } finally {
    // Also runs when a consumer stops early, since for..of calls return() on the generator.
    statement.free();
  }
}

/** Runs one statement to completion and returns the rows it changed, counted as better-sqlite3 counts them. */
export function runStatement(db: SqlJsDatabase, sql: string, params: readonly unknown[]): { changes: number } {
  const before = scalar(db, 'SELECT total_changes()');
  const statement = db.prepare(sql);
  try {
    statement.bind(params.map(bindable));
    while (statement.step()) {
      // Rows of a RETURNING clause are not wanted here; stepping to the end finishes the statement.
    }
  } finally {
    statement.free();
  }
  // sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE, so after DDL it would report a stale number;
  // an unchanged total says this statement changed nothing.
  return { changes: scalar(db, 'SELECT total_changes()') === before ? 0 : db.getRowsModified() };
}

/** Runs a query of one row and one column. */
export function scalar(db: SqlJsDatabase, sql: string): SqlJsValue {
  return db.exec(sql)[0]?.values[0]?.[0] ?? null;
}

// sql.js would bind a bigint as its decimal text, so `? = 5` with 5n would compare text to integer and be false.
// Bigints a double holds exactly are bound as numbers instead; larger ones keep sql.js's text, which INTEGER and
// NUMERIC columns turn back into the exact integer.
function bindable(value: unknown): SqlJsValue {
  if (typeof value !== 'bigint') return value as SqlJsValue;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value.toString();
}

/** An initialised sql.js module, or a function that loads one. */
export type SqlJsSource<D extends SqlJsDatabase = SqlJsDatabase> = SqlJsStatic<D> | (() => Promise<SqlJsStatic<D>>);

/**
 * The sql.js module to open databases with: the one given, the one a loader gives, or `import('sql.js')` initialised
 * without configuration (which finds its wasm file in Node), loaded only when first needed.
 */
export async function loadSqlJs<D extends SqlJsDatabase>(source: SqlJsSource<D> | undefined): Promise<SqlJsStatic<D>> {
  if (typeof source === 'function') return source();
  if (source !== undefined) return source;
  const { default: initSqlJs } = await import('sql.js');
  const SQL: SqlJsStatic = await initSqlJs();
  // D is only chosen by passing a module, so here it is the default SqlJsDatabase.
  return SQL as SqlJsStatic<D>;
}
