import { type Client, createClient } from '@libsql/client';
import {
  type BatchResult,
  type BatchStatement,
  type ConnectionSettings,
  DEFAULT_SETTINGS,
  type Driver,
  type DriverFactory,
  type OpenOptions,
  type Row,
  type SqlValue,
  StrataError,
} from '@strata/core';
import { createDatabaseFolder } from '@strata/core/node/files';
import { batchError, driverError, isCommitFailure, isParseError, type LockSubject } from './errors.js';
import { refuseTransactionControl } from './script.js';
import { displayUrl, fileOf, urlOf } from './target.js';
import { argsOf, rowsOf } from './values.js';

export { engineMessage } from './errors.js';

/**
 * Where and how to connect: a `file:` URL (or `:memory:`), a `sqld` server (`libsql:`, `http:`, `https:`, `ws:`,
 * `wss:`), or an embedded replica (a `file:` URL with a `syncUrl`).
 *
 * @example
 * ```ts
 * await createLibsqlDriver({ url: 'file:replica.db', syncUrl: 'libsql://db.example.com', authToken: process.env.STRATA_AUTH_TOKEN });
 * ```
 */
export interface LibsqlConnectOptions {
  readonly url: string;
  /** The token a server asks for. */
  readonly authToken?: string;
  /**
   * Makes the `file:` database an embedded replica of this server: reads are answered from the file, writes go to the
   * server, and the file is brought up to date when the driver opens and after each write.
   */
  readonly syncUrl?: string;
  /**
   * How long a statement on a local file waits for another connection's lock before failing with `LOCK_TIMEOUT`.
   * Default 5000 (the client's own default, 0, fails at once). A server waits by its own settings.
   */
  readonly busyTimeoutMs?: number;
  /** The journal mode of a local file (default WAL); a server and an embedded replica keep their own. */
  readonly journalMode?: ConnectionSettings['journalMode'];
  /**
   * Foreign keys are always enforced on libSQL (its default, and a PRAGMA would reach one pooled connection only):
   * `false` is refused with `NOT_SUPPORTED`.
   */
  readonly foreignKeys?: boolean;
}

/**
 * Uses a client the application created (with `intMode: 'bigint'`, so that no integer beyond 2^53 fails to read).
 *
 * @example
 * ```ts
 * await createLibsqlDriver({ client: createClient({ url: 'http://127.0.0.1:8080', intMode: 'bigint' }) });
 * ```
 */
export interface LibsqlClientOptions {
  readonly client: Client;
  /** Close `client` when the driver is closed. Default `false`: whoever created it closes it. */
  readonly closeClient?: boolean;
}

/**
 * Options of {@link createLibsqlDriver}: where to connect, or a client to use.
 *
 * @example
 * ```ts
 * const options: LibsqlDriverOptions = client ? { client } : { url: 'file:app.db' };
 * ```
 */
export type LibsqlDriverOptions = LibsqlConnectOptions | LibsqlClientOptions;

/**
 * A Strata {@link Driver} over one `@libsql/client` client, which the application may use as well.
 *
 * It has no interactive transaction: the client runs each call on a pooled connection or stream of its own (a
 * `BEGIN` sent alone would silently open nothing), and a server takes an open transaction away after a few seconds.
 * So every migration, rollback and history change is one {@link Driver.batch} (all or nothing), `inTransaction()`
 * is always false, and `exec` refuses transaction statements with `NOT_SUPPORTED`. A PRAGMA reaches one connection
 * only; foreign keys are always on.
 *
 * @example
 * ```ts
 * const driver = await createLibsqlDriver({ url: 'http://127.0.0.1:8080' });
 * const { rows } = await driver.client.execute('SELECT count(*) AS n FROM users');
 * ```
 */
export interface LibsqlDriver extends Driver {
  readonly name: 'libsql';
  /** The client Strata migrates through, for the application's own queries. */
  readonly client: Client;
  compile(sql: string): Promise<void>;
  batch(statements: readonly BatchStatement[]): Promise<readonly BatchResult[]>;
  /** An empty libSQL database in memory, with the same driver. */
  scratch(): Promise<LibsqlDriver>;
}

/**
 * Creates a Strata driver over `@libsql/client`. Given a `url`, it creates the client (integers read as bigints, and
 * as numbers where they fit; the busy timeout set) and, for an embedded replica, brings the file up to date with its
 * server before it returns; `close()` closes the client. Given a `client`, it leaves it open on `close()` unless
 * `closeClient` is set.
 *
 * @example
 * ```ts
 * const driver = await createLibsqlDriver({ url: 'ws://127.0.0.1:8080' });
 * await new MigrationManager({ driver, migrations }).migrate();
 * ```
 */
export async function createLibsqlDriver(options: LibsqlDriverOptions): Promise<LibsqlDriver> {
  if ('client' in options) return driverOver(options.client, options.closeClient === true, DEFAULT_SETTINGS.busyTimeoutMs, '');
  if (options.foreignKeys === false) {
    throw new StrataError(
      'NOT_SUPPORTED',
      'libSQL enforces foreign keys on every connection, and a PRAGMA would reach one pooled connection only: ' +
        'foreign keys cannot be turned off for this driver',
    );
  }
  const file = fileOf(options.url);
  if (file !== undefined) createDatabaseFolder(file);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_SETTINGS.busyTimeoutMs;
  const where = { url: displayUrl(options.url), busyTimeoutMs };
  let client: Client;
  try {
    client = createClient({
      url: options.url,
      intMode: 'bigint',
      timeout: busyTimeoutMs,
      ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
      ...(options.syncUrl === undefined ? {} : { syncUrl: options.syncUrl }),
    });
  } catch (error) {
    throw new StrataError('DATABASE_ERROR', `libSQL could not open ${where.url}: ${driverError(error, where).message}`, {
      cause: error,
    });
  }
  const journalMode = options.journalMode ?? DEFAULT_SETTINGS.journalMode;
  // The journal mode is the file's own (WAL stays set for every connection); an embedded replica keeps libSQL's.
  if (file !== undefined && options.syncUrl === undefined) {
    try {
      await client.execute(`PRAGMA journal_mode = ${journalMode}`);
    } catch (error) {
      client.close();
      throw driverError(error, where);
    }
  }
  if (options.syncUrl !== undefined) {
    try {
      await client.sync();
    } catch (error) {
      client.close();
      throw new StrataError(
        'DATABASE_ERROR',
        `the embedded replica ${where.url} could not sync with ${displayUrl(options.syncUrl)}: ${driverError(error, where).message}`,
        { cause: error },
      );
    }
  }
  return driverOver(client, true, busyTimeoutMs, where.url);
}

function driverOver(client: Client, ownsClient: boolean, busyTimeoutMs: number, url: string): LibsqlDriver {
  const where: LockSubject = { url: url || 'the database', busyTimeoutMs };
  // Pooled connections to a file (an embedded replica's included), which may be opened again; "" for a given client.
  const fileConnections = fileOf(url) !== undefined;
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw driverError(error, where);
    }
  };
  return {
    name: 'libsql',
    client,
    async exec(sql) {
      if (refuseTransactionControl(sql) > 0) await call(() => client.executeMultiple(sql));
    },
    async query<R extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
      return rowsOf<R>(await call(() => client.execute({ sql, args: argsOf(params) })));
    },
    async run(sql, params) {
      return { changes: (await call(() => client.execute({ sql, args: argsOf(params) }))).rowsAffected };
    },
    async compile(sql) {
      // The client cannot prepare alone; EXPLAIN compiles the statement and runs none of it. Through executeMultiple
      // (sqlite3_exec on a file), which finalizes it: a file client's execute() leaves the EXPLAIN of a write
      // statement in progress on its pooled connection, and the next COMMIT there fails.
      await call(() => client.executeMultiple(`EXPLAIN ${sql}`));
    },
    async batch(statements) {
      if (statements.length === 0) return [];
      try {
        const results = await client.batch(
          statements.map(({ sql, params }) => ({ sql, args: argsOf(params) })),
          'write',
        );
        return results.map((result) => ({ changes: result.rowsAffected }));
      } catch (error) {
        // A COMMIT that failed on a deferred foreign key leaves its pooled connection of a file unusable for DDL
        // ("database table is locked"): the client opens fresh ones. Not for a database in memory, which would go.
        if (isCommitFailure(error) && fileConnections) await client.reconnect();
        const parse = isParseError(error) ? await firstUnparsable(client, statements) : undefined;
        throw batchError(error, where, { parse, commit: statements.length });
      }
    },
    // Never: nothing this driver sends opens a transaction that outlives one call.
    inTransaction: () => false,
    scratch: () => createLibsqlDriver({ url: ':memory:' }),
    async close() {
      if (ownsClient && !client.closed) client.close();
    },
  };
}

/**
 * The index of the first of `statements` that `sqld` cannot parse, found by asking it to EXPLAIN each one (which runs
 * nothing); 0 when each parses alone.
 */
async function firstUnparsable(client: Client, statements: readonly BatchStatement[]): Promise<number> {
  for (const [index, { sql }] of statements.entries()) {
    const parses = await client.executeMultiple(`EXPLAIN ${sql}`).then(
      () => true,
      (error: unknown) => !isParseError(error),
    );
    if (!parses) return index;
  }
  return 0;
}

/**
 * Options of {@link libsql}'s `open`: Strata's, and a server's token and an embedded replica's server.
 *
 * @example
 * ```ts
 * const options: LibsqlOpenOptions = { busyTimeoutMs: 10_000, syncUrl: 'http://127.0.0.1:8080' };
 * ```
 */
export interface LibsqlOpenOptions extends OpenOptions, Pick<LibsqlConnectOptions, 'authToken' | 'syncUrl'> {}

/**
 * A {@link DriverFactory} of libSQL drivers, whose `open` also takes {@link LibsqlOpenOptions}.
 *
 * @example
 * ```ts
 * const factory: LibsqlFactory = libsql;
 * ```
 */
export interface LibsqlFactory extends DriverFactory<LibsqlDriver> {
  open(target: string, options?: LibsqlOpenOptions): Promise<LibsqlDriver>;
}

/**
 * Opens libSQL drivers, for `DatabaseManager` and the CLI: `open(target)` takes a path (opened as a `file:` URL) or a
 * URL (`file:`, `libsql:`, `http:`, `https:`, `ws:`, `wss:`); options may add `authToken` and `syncUrl` (an embedded
 * replica of that server). `readonly`, `journalMode` and `synchronous` are not libSQL's to set through the client.
 *
 * @example
 * ```ts
 * const driver = await libsql.open('http://127.0.0.1:8080', { authToken: process.env.STRATA_AUTH_TOKEN });
 * ```
 */
export const libsql: LibsqlFactory = {
  name: 'libsql',
  open: async (target: string, options: LibsqlOpenOptions = {}) =>
    createLibsqlDriver({
      url: urlOf(target),
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
      ...(options.foreignKeys === undefined ? {} : { foreignKeys: options.foreignKeys }),
      ...(options.journalMode === undefined ? {} : { journalMode: options.journalMode }),
      ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
      ...(options.syncUrl === undefined ? {} : { syncUrl: options.syncUrl }),
    }),
};
