import {
  BatchError,
  type BatchResult,
  type BatchStatement,
  type Driver,
  type DriverFactory,
  type Row,
  type SqlValue,
  StrataError,
  splitStatements,
} from '@strata/core';
import { RqliteClient, type RqliteResult } from './client.js';
import { requestBody, type WireStatement } from './json.js';
import { parseNodes, redact } from './nodes.js';
import { rowsOf } from './rows.js';
import { refuseUnsafeStatements } from './transactions.js';

export { parseNodes, type RqliteNodes } from './nodes.js';

/**
 * How long a call may take by default, over every node and retry: a new leader is elected within a few seconds of
 * the old one stopping.
 */
export const RQLITE_TIMEOUT_MS = 10_000;

/**
 * Options of {@link createRqliteDriver}.
 *
 * @example
 * ```ts
 * createRqliteDriver({ url: 'http://10.0.0.1:4001,10.0.0.2:4001', busyTimeoutMs: 20_000 });
 * ```
 */
export interface RqliteDriverOptions {
  /** One node's URL or several, comma-separated (see {@link parseNodes}); `user:password@` sends basic auth. */
  readonly url: string;
  /** How long one call may take, over every node and retry, in milliseconds. Default {@link RQLITE_TIMEOUT_MS}. */
  readonly busyTimeoutMs?: number;
  /** Send reads only, through rqlite's read endpoint; `exec`, `run` and `batch` are refused. */
  readonly readonly?: boolean;
  /** The `fetch` to send requests with; the global one by default. */
  readonly fetch?: typeof fetch;
}

/**
 * A Strata {@link Driver} over rqlite's HTTP API.
 *
 * @example
 * ```ts
 * const driver: RqliteDriver = createRqliteDriver({ url: 'http://127.0.0.1:4001' });
 * const results = await driver.batch([{ sql: 'CREATE TABLE t (x)' }, { sql: 'INSERT INTO t VALUES (?)', params: [1] }]);
 * ```
 */
export interface RqliteDriver extends Driver {
  readonly name: 'rqlite';
  /** Compiles `sql` with `EXPLAIN`, which runs nothing. */
  compile(sql: string): Promise<void>;
  batch(statements: readonly BatchStatement[]): Promise<readonly BatchResult[]>;
}

// Reads Strata relies on (the history, read just before deciding what to apply) must not be stale: `linearizable`
// has the leader confirm with a quorum that it still leads before it reads, as `strong` does, without writing a Raft
// log entry for every read.
const READ = 'level=linearizable&blob_array';

/**
 * Creates a Strata driver over rqlite (SQLite replicated by Raft), through its HTTP API with `fetch` alone, so it
 * runs in Node and in browsers.
 *
 * rqlite has no interactive transactions: the driver has `batch`, which sends statements as one request with
 * `?transaction` (applied all or none), and Strata applies each migration as one batch. `inTransaction()` is always
 * false, and a `BEGIN`, `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT` or `RELEASE` is refused with `NOT_SUPPORTED`, since
 * it would stay open on the server's one shared connection. `exec(script)` sends the script's statements as one
 * atomic request too. Reads are linearizable. rqlite answers an SQL error with HTTP 200 and an error in the
 * statement's result: the driver checks every result, and a failure is a `StrataError` (`DATABASE_ERROR`) with
 * SQLite's message, or a {@link BatchError} naming the statement in a batch.
 *
 * What rqlite cannot do, so neither can the driver: BLOB parameters (`NOT_SUPPORTED`; write a literal `X'…'`);
 * BLOBs from a column declared TEXT or an expression without a declared type come back as text; foreign keys are
 * enforced only when the node was started with `-fk` (a `PRAGMA foreign_keys` would change the one connection every
 * client shares); there is no scratch database on the same engine, no file to back up or restore, no lock.
 *
 * @example
 * ```ts
 * const driver = createRqliteDriver({ url: 'http://127.0.0.1:4001' });
 * await new MigrationManager({ driver, migrations }).migrate();
 * ```
 */
export function createRqliteDriver(options: RqliteDriverOptions): RqliteDriver {
  const client = new RqliteClient({
    nodes: parseNodes(options.url),
    timeoutMs: options.busyTimeoutMs ?? RQLITE_TIMEOUT_MS,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const where = redact(options.url);
  let closed = false;
  const open = (writes: boolean) => {
    if (closed) throw new StrataError('DATABASE_ERROR', `the rqlite driver of ${where} is closed`);
    if (writes && options.readonly === true)
      throw new StrataError('DATABASE_ERROR', `the rqlite driver of ${where} was opened read-only`);
  };
  // Every SQL text is checked as the caller wrote it, so a refusal names the statement's line in it.
  const send = async (path: string, statements: readonly WireStatement[], writes: boolean, scripts = statements) => {
    open(writes);
    for (const { sql } of scripts) refuseUnsafeStatements(sql);
    // A read is sent again after any failure; a statement that may write only when no node can have received it.
    const kind = writes || !scripts.every(({ sql }) => READS.test(sql)) ? 'write' : 'read';
    return client.send(path, requestBody(statements), kind);
  };

  return {
    name: 'rqlite',
    async exec(sql) {
      const statements = splitStatements(sql).map(({ text }) => ({ sql: text }));
      if (statements.length === 0) return open(true);
      const results = await send('/db/execute?transaction', statements, true, [{ sql }]);
      failureOf(results, statements.length, (_, message) => new StrataError('DATABASE_ERROR', message));
    },
    async query<R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) {
      const path = options.readonly === true ? `/db/query?${READ}` : `/db/request?${READ}`;
      const [, result] = await send(path, [SCHEMA_REFRESH, { sql, params }], false, [{ sql }]);
      return rowsOf(single(result)) as R[];
    },
    async run(sql, params = []) {
      // rqlite's rows_affected is SQLite's changes(), which a statement that changes nothing (DDL, a SELECT) leaves
      // as the last write set it. As better-sqlite3 does, a statement counts its changes only when the connection's
      // total moved: one request, so one Raft entry, with the total read before and after.
      const results = await send('/db/request', [TOTAL_CHANGES, { sql, params }, TOTAL_CHANGES], true, [{ sql }]);
      const result = single(results[1]);
      const [before, after] = [results[0], results[2]].map((probe) => rowsOf(single(probe))[0]?.total);
      return { changes: before === after ? 0 : (result.rows_affected ?? 0) };
    },
    async compile(sql) {
      // Not through `send`: EXPLAIN runs nothing, so even a transaction statement is safe to compile. rqlite's read
      // endpoint refuses `EXPLAIN UPDATE …` as a change; the unified one takes it, and what it applies runs nothing.
      open(false);
      const explain = async (params: readonly null[]) =>
        (await client.send(`/db/request?${READ}`, requestBody([SCHEMA_REFRESH, { sql: `EXPLAIN ${sql}`, params }]), 'read'))[1];
      let result = await explain([]);
      // rqlite refuses a statement with fewer values than parameters, bound or not: bind NULL to each, by position
      // (a named parameter has one too), which changes nothing of what compiles.
      const wanted = UNBOUND.exec(result?.error ?? '')?.[1];
      if (wanted !== undefined) result = await explain(Array.from({ length: Number(wanted) }, () => null));
      single(result);
    },
    async batch(statements) {
      if (statements.length === 0) return [];
      const results = await send('/db/execute?transaction', statements, true);
      failureOf(results, statements.length, (index, message) => new BatchError(index, message));
      // No total can be read inside an atomic request (rqlite's mixed requests are not atomic), so only a statement
      // that writes rows by its first word counts the changes rqlite reports; see `run`.
      return results.map((result, index) => ({
        changes: ROW_WRITES.test(statements[index]?.sql ?? '') ? (result.rows_affected ?? 0) : 0,
      }));
    },
    inTransaction: () => false,
    async close() {
      closed = true;
    },
  };
}

/**
 * Sent before a read: rqlite reads on a connection of its own, which compiles a statement against the schema it last
 * loaded, and only notices a change made since on the writing connection when the statement runs. The statement's
 * column names are taken before that, so the first read after `ALTER TABLE t RENAME COLUMN a TO z` would name its
 * values after the old columns. Running this first loads the current schema.
 */
const SCHEMA_REFRESH = { sql: 'SELECT 1 FROM sqlite_master LIMIT 1' };
/** A statement that cannot write, by its first word (after comments): `query` may be given any statement. */
const READS = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(?:select|explain|values)\b/i;
const TOTAL_CHANGES = { sql: 'SELECT total_changes() AS total' };
const ROW_WRITES = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:insert|update|delete|replace|with)\b/i;

const UNBOUND = /^not enough args to execute query: want (\d+) got 0$/;

/** The one result of a one-statement request, or its error as a `StrataError` with SQLite's message. */
function single(result: RqliteResult | undefined): RqliteResult {
  if (result === undefined) throw new StrataError('DATABASE_ERROR', 'rqlite answered without a result');
  if (result.error !== undefined) throw new StrataError('DATABASE_ERROR', result.error);
  return result;
}

/**
 * Checks every result of a transaction: rqlite stops at the first failing statement, answers HTTP 200 all the same,
 * and puts the error in that statement's result.
 */
function failureOf(results: readonly RqliteResult[], expected: number, fail: (index: number, message: string) => Error): void {
  const index = results.findIndex((result) => result.error !== undefined);
  if (index >= 0) throw fail(index, results[index]?.error as string);
  if (results.length !== expected)
    throw fail(results.length, `rqlite answered ${results.length} results for ${expected} statements`);
}

/**
 * Opens rqlite drivers for `DatabaseManager` and the CLI: `open(url)` takes one node's URL or several,
 * comma-separated (`http://127.0.0.1:4001,http://127.0.0.1:4003`), tried in turn while one is down. `busyTimeoutMs`
 * bounds each call, retries included; `readonly` sends reads only. Other connection settings (journal mode, foreign
 * keys, sync) belong to the rqlite node, not to a client, and are left as the node has them.
 *
 * @example
 * ```ts
 * const driver = await rqlite.open('http://127.0.0.1:4001', { busyTimeoutMs: 20_000 });
 * ```
 */
export const rqlite: DriverFactory<RqliteDriver> = {
  name: 'rqlite',
  open: async (url, options = {}) =>
    createRqliteDriver({
      url,
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
      ...(options.readonly === undefined ? {} : { readonly: options.readonly }),
    }),
};
