// The parts of better-sqlite3 this package and its users call through the driver, typed here so that the published
// declarations need no types of better-sqlite3's own: a connection from `new Database(file)` satisfies these.

/**
 * The methods of a better-sqlite3 `Statement` that Strata, its kysely dialect and the README's examples use.
 *
 * @example
 * ```ts
 * const statement: BetterSqlite3Statement = driver.database.prepare('SELECT count(*) AS n FROM users');
 * const row = statement.get() as { n: number };
 * ```
 */
export interface BetterSqlite3Statement {
  /** Whether the statement returns rows. */
  readonly reader: boolean;
  /** Whether the statement leaves the database as it is. */
  readonly readonly: boolean;
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  /** Makes `get`, `all` and `iterate` return each row's first column alone. */
  pluck(toggle?: boolean): this;
}

/**
 * The methods of a better-sqlite3 `Database` that Strata uses.
 *
 * @example
 * ```ts
 * const database: BetterSqlite3Database = new Database('app.db');
 * const driver = createBetterSqlite3Driver({ database });
 * ```
 */
export interface BetterSqlite3Database {
  /** The path the connection was opened with. */
  readonly name: string;
  readonly open: boolean;
  readonly inTransaction: boolean;
  readonly readonly: boolean;
  readonly memory: boolean;
  prepare(sql: string): BetterSqlite3Statement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  backup(
    destination: string,
    options?: { progress?: (info: { totalPages: number; remainingPages: number }) => number },
  ): Promise<{ totalPages: number; remainingPages: number }>;
  close(): unknown;
}
