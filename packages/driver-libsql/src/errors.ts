import { LibsqlBatchError, LibsqlError } from '@libsql/client';
import { BatchError, StrataError } from '@strata/core';

/**
 * SQLite's own message in an error of the client: without the client's code prefix, and with what `sqld` wraps
 * around it taken off (`SQLite error: `, `SQL input error: `, ` (at offset 11)`); `sqld` parses statements before
 * SQLite does, and its syntax error is said in SQLite's words (`near "SELEC": syntax error`), so that messages, and the
 * line and column Strata finds from them, are the same whichever way the database is reached.
 *
 * @example
 * ```ts
 * engineMessage(error); // 'no such table: users', for 'SQLITE_UNKNOWN: SQLite error: no such table: users'
 * ```
 */
export function engineMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const raw =
    error instanceof LibsqlError
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message.replace(/^[A-Z_]+: /, '')
      : error.message;
  return raw
    .replace(/^(?:SQLite error|SQL input error): /, '')
    .replace(/ \(at offset \d+\)$/, '')
    .replace(/^SQL string could not be parsed: syntax error around L\d+:\d+: `(.*)`$/s, 'near "$1": syntax error')
    .replace(/^SQL string could not be parsed: near (\w+), "(.*)": syntax error at \(\d+, \d+\)$/s, (whole, kind, text) => {
      const token = text === 'None' ? TOKENS[kind as string] : text;
      return token === undefined ? whole : `near "${token}": syntax error`;
    });
}

/** The text of the tokens `sqld`'s parser names by kind alone (`near RP, "None"`). */
const TOKENS: Readonly<Record<string, string>> = {
  LP: '(',
  RP: ')',
  COMMA: ',',
  SEMI: ';',
  DOT: '.',
  EQ: '=',
  STAR: '*',
  PLUS: '+',
  MINUS: '-',
  SLASH: '/',
  LT: '<',
  GT: '>',
  LE: '<=',
  GE: '>=',
  NE: '<>',
  CONCAT: '||',
};

/**
 * What a call of the client threw, as the driver throws it: `LOCK_TIMEOUT` when another connection kept its lock
 * for longer than the busy timeout, else the client's `LibsqlError` (its `code` kept) with SQLite's own message
 * ({@link engineMessage}); the client's error is the `cause`.
 *
 * @example
 * ```ts
 * const rows = await client.execute(sql).catch((error) => { throw driverError(error, target); });
 * ```
 */
export function driverError(error: unknown, where: LockSubject): Error {
  const busy = lockTimeoutOf(error, where);
  if (busy !== undefined) return busy;
  if (!(error instanceof LibsqlError)) return error instanceof Error ? error : new Error(String(error));
  const mapped = new LibsqlError(engineMessage(error), error.code, error.extendedCode, error.rawCode, error);
  // Without the client's `CODE: ` prefix, as SQLite says it and the other drivers report it.
  mapped.message = engineMessage(error);
  return mapped;
}

/**
 * A failed `client.batch(…, 'write')` as `Driver.batch` reports it: a {@link BatchError} naming the failing
 * statement's index (`failed.parse` for a batch `sqld` refused whole, `failed.commit` for a constraint checked at
 * COMMIT), or `LOCK_TIMEOUT`.
 *
 * @example
 * ```ts
 * await client.batch(statements, 'write').catch((error) => { throw batchError(error, target); });
 * ```
 */
export function batchError(error: unknown, where: LockSubject, failed: BatchFailure = {}): Error {
  const busy = lockTimeoutOf(error, where);
  if (busy !== undefined) return busy;
  if (error instanceof LibsqlBatchError) return new BatchError(error.statementIndex, engineMessage(error), error);
  if (failed.parse !== undefined) return new BatchError(failed.parse, engineMessage(error), error);
  if (isCommitFailure(error)) return new BatchError(failed.commit ?? 0, engineMessage(error), error);
  return driverError(error, where);
}

/** Where a batch failed when the client does not say: the statement `sqld` could not parse, or the COMMIT's place. */
export interface BatchFailure {
  readonly parse?: number;
  /** The index the COMMIT after the last statement has: the number of statements. */
  readonly commit?: number;
}

/**
 * Whether `error` is a constraint checked at COMMIT (a deferred foreign key), which the client reports outside any
 * statement of the batch; the batch was rolled back.
 *
 * @example
 * ```ts
 * if (isCommitFailure(error)) await client.reconnect();
 * ```
 */
export function isCommitFailure(error: unknown): boolean {
  return (
    error instanceof LibsqlError &&
    !(error instanceof LibsqlBatchError) &&
    typeof error.code === 'string' &&
    error.code.startsWith('SQLITE_CONSTRAINT')
  );
}

/**
 * Whether `error` is `sqld` refusing a whole request because one statement does not parse: it then runs none of
 * them, and does not say which one it was.
 *
 * @example
 * ```ts
 * if (isParseError(error)) index = await firstUnparsable(client, statements);
 * ```
 */
export function isParseError(error: unknown): boolean {
  return error instanceof LibsqlError && !(error instanceof LibsqlBatchError) && error.code === 'SQL_PARSE_ERROR';
}

/** The database an error is about, and how long the driver waits for a lock on it. */
export interface LockSubject {
  /** The database's URL, with no token in it. */
  readonly url: string;
  readonly busyTimeoutMs: number;
}

function lockTimeoutOf(error: unknown, { url, busyTimeoutMs }: LockSubject): StrataError | undefined {
  const code = (error as { code?: unknown; extendedCode?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) return undefined;
  // SQLite also answers BUSY for a COMMIT while a statement of the same connection is unfinished: no lock of another.
  if (!/database is locked/i.test(engineMessage(error))) return undefined;
  return new StrataError(
    'LOCK_TIMEOUT',
    `waited ${busyTimeoutMs} ms for another connection to release its lock on ${url}: libSQL answered "${engineMessage(error)}". ` +
      'Raise the busy timeout (busyTimeoutMs, --busy-timeout) to wait longer, or stop the program that keeps it',
    { cause: error },
  );
}
