/** A value SQLite stores and returns. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** One result row, by column name. */
export type Row = Readonly<Record<string, SqlValue>>;

/**
 * What Strata needs from a SQLite connection. Each driver package implements it over one library; core never
 * imports a SQLite library itself.
 *
 * The methods are async so that a driver may sit on an asynchronous connection; the drivers shipped with Strata
 * are synchronous underneath.
 */
export interface Driver {
  /** A short name of the driver, such as `better-sqlite3` or `sqljs`. */
  readonly name: string;
  /** Runs a script of zero or more statements separated by semicolons; returns no rows. */
  exec(sql: string): Promise<void>;
  /** Runs one statement with positional parameters and returns its rows. */
  query<R extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Runs one statement with positional parameters and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ readonly changes: number }>;
  /** True while the connection has an open transaction; Strata only rolls back when it is. */
  inTransaction(): boolean;
  /**
   * Makes the changes committed so far durable, for drivers whose database lives in memory (sql.js). Strata calls it
   * once after a run that changed the database. Drivers that write through to a file leave it out.
   */
  persist?(): Promise<void>;
  /** Closes the connection. Safe to call twice. */
  close(): Promise<void>;
}
