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
  reset(): unknown;
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
    let names: string[] | undefined;
    while (statement.step()) {
      names ??= statement.getColumnNames();
      yield rowOf(names, statement.get());
    }
  } finally {
    // Also runs when a consumer stops early, since for..of calls return() on the generator.
    statement.free();
  }
}

/**
 * Runs one statement and returns its rows, as {@link iterateRows} yields them, through a prepared statement kept for
 * the next call with the same SQL: preparing costs more in sql.js than running most of the statements a migration
 * run makes (its history lookups and inserts), and a run makes thousands.
 */
export function queryRows(db: SqlJsDatabase, sql: string, params: readonly unknown[]): Row[] {
  return withStatement(db, sql, params, (statement) => {
    // Asked after the first step: SQLite prepares a kept statement again when the schema changed since its last run,
    // and only then are the names those of the columns as they are now.
    let names: string[] | undefined;
    const rows: Row[] = [];
    while (statement.step()) {
      names ??= statement.getColumnNames();
      rows.push(rowOf(names, statement.get()));
    }
    return rows;
  });
}

/**
 * Statements whose count of changed rows SQLite's `changes()` gives as soon as they complete: those that begin with
 * INSERT, UPDATE, DELETE or REPLACE. Any other start (DDL, a SELECT, a CTE, a comment) is counted the slow way.
 */
const PLAIN_WRITE = /^\s*(?:insert|update|delete|replace)\b/i;

/** Runs one statement to completion and returns the rows it changed, counted as better-sqlite3 counts them. */
export function runStatement(db: SqlJsDatabase, sql: string, params: readonly unknown[]): { changes: number } {
  if (PLAIN_WRITE.test(sql)) {
    withStatement(db, sql, params, finish);
    return { changes: db.getRowsModified() };
  }
  const before = totalChanges(db);
  withStatement(db, sql, params, finish);
  // sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE, so after DDL it would report a stale number;
  // an unchanged total says this statement changed nothing.
  return { changes: totalChanges(db) === before ? 0 : db.getRowsModified() };
}

/** Steps a statement to its end; rows of a RETURNING clause are not wanted here. */
function finish(statement: SqlJsStatement): void {
  while (statement.step()) {
    // Stepping to the end is what finishes the statement.
  }
}

/** SQLite's `total_changes()`: rows inserted, updated or deleted on this connection since it was opened. */
export function totalChanges(db: SqlJsDatabase): number {
  return Number(withStatement(db, 'SELECT total_changes()', [], (statement) => (statement.step() ? statement.get()[0] : 0)));
}

/** Runs a query of one row and one column. */
export function scalar(db: SqlJsDatabase, sql: string): SqlJsValue {
  return db.exec(sql)[0]?.values[0]?.[0] ?? null;
}

function rowOf(names: readonly string[], values: readonly SqlJsValue[]): Row {
  const row: Record<string, SqlJsValue> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    // Assigning __proto__ would set the prototype; defining it keeps a column of that name as data.
    if (name === '__proto__')
      Object.defineProperty(row, name, { value: values[i] ?? null, enumerable: true, writable: true, configurable: true });
    else row[name] = values[i] ?? null;
  }
  return row;
}

/** How many prepared statements a database keeps; the least recently used is freed beyond that. */
const CACHED_STATEMENTS = 32;
const statementCaches = new WeakMap<SqlJsDatabase, Map<string, SqlJsStatement>>();

/**
 * Binds `params` to the kept statement for `sql` (preparing it the first time), runs `work` on it, and resets it so
 * that it holds no lock between calls. sql.js frees every statement when the database is closed; a statement found
 * freed is prepared again.
 */
function withStatement<T>(db: SqlJsDatabase, sql: string, params: readonly unknown[], work: (statement: SqlJsStatement) => T): T {
  let cache = statementCaches.get(db);
  if (cache === undefined) {
    cache = new Map();
    statementCaches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement !== undefined) {
    // Most recently used last, so the first entry is the one to free.
    cache.delete(sql);
    cache.set(sql, statement);
  }
  if (statement === undefined) {
    statement = remember(cache, sql, db.prepare(sql));
    statement.bind(params.map(bindable));
  } else {
    try {
      statement.bind(params.map(bindable));
    } catch {
      // sql.js releases whose export() reopened the connection freed every statement of the database with it, and
      // say so only in words. A statement prepared afresh binds, or fails for the reason the parameters give.
      cache.delete(sql);
      statement.free();
      statement = remember(cache, sql, db.prepare(sql));
      statement.bind(params.map(bindable));
    }
  }
  try {
    return work(statement);
  } finally {
    statement.reset();
  }
}

function remember(cache: Map<string, SqlJsStatement>, sql: string, statement: SqlJsStatement): SqlJsStatement {
  cache.set(sql, statement);
  if (cache.size > CACHED_STATEMENTS) {
    const [oldest] = cache;
    if (oldest !== undefined) {
      cache.delete(oldest[0]);
      oldest[1].free();
    }
  }
  return statement;
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
