import {
  type BatchStatement,
  type Driver,
  type ExclusiveOptions,
  type HeldLock,
  type Row,
  type SqlValue,
  StrataError,
} from '@strata/core';

/**
 * Wraps `driver` so that whatever a SQLite library throws (`SQLITE_NOTADB` on a file that is not a database,
 * a failed write to disk) comes out as a `DATABASE_ERROR` naming the file. `exec` and `run` are left alone: they
 * run inside migrations, where core already turns a failure into `MIGRATION_FAILED` with the migration's file, and
 * the database path would only clutter that message; so is `batch`, which applies a whole migration.
 */
export function guardDriver(driver: Driver, file: string): Driver {
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StrataError) throw error;
      throw databaseError(error, file);
    }
  };
  const { serialize, exclusive, scratch, compile, batch } = driver;
  return {
    name: driver.name,
    exec: (sql) => driver.exec(sql),
    query: <R extends Row = Row>(sql: string, params?: readonly SqlValue[]) => guard(() => driver.query<R>(sql, params)),
    run: (sql, params) => driver.run(sql, params),
    // Left alone as exec() is: core reads the failing statement from its BatchError.
    ...(batch === undefined ? {} : { batch: (statements) => batch.call(driver, statements) }),
    // Guarded as query() is: it fails for the same reasons.
    ...(compile === undefined ? {} : { compile: (sql: string) => guard(() => compile.call(driver, sql)) }),
    inTransaction: () => driver.inTransaction(),
    // Left alone as exec() is: a batch is a migration's, whose failure core names. Without it, an engine without
    // interactive transactions would be sent BEGIN.
    ...(batch === undefined ? {} : { batch: (statements: readonly BatchStatement[]) => batch.call(driver, statements) }),
    ...(scratch === undefined ? {} : { scratch: () => scratch.call(driver) }),
    ...(driver.persist === undefined ? {} : { persist: () => guard(() => driver.persist?.() ?? Promise.resolve()) }),
    // A backup takes an in-memory database's bytes through serialize(); without it, it would try VACUUM INTO.
    ...(serialize === undefined ? {} : { serialize: () => guard(() => serialize.call(driver)) }),
    // Without it, sql.js runs would no longer hold the file's lock, and processes would overwrite each other's saves.
    // Saves made through the lock it gives are guarded as persist() is.
    ...(exclusive === undefined
      ? {}
      : {
          exclusive: <T>(work: (lock: HeldLock) => Promise<T>, options?: ExclusiveOptions) =>
            exclusive.call<Driver, [(lock: HeldLock) => Promise<T>, ExclusiveOptions | undefined], Promise<T>>(
              driver,
              (lock) => work({ persist: () => guard(() => lock.persist()) }),
              options,
            ),
        }),
    close: () => guard(() => driver.close()),
  };
}

/**
 * A `DATABASE_ERROR` for a failure of the database `file`, keeping the library's code (`SQLITE_NOTADB`) in view; a
 * `StrataError` that names `file` already is kept as it is.
 */
export function databaseError(error: unknown, file: string): StrataError {
  if (error instanceof StrataError && error.file === file) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const suffix = typeof code === 'string' && !message.includes(code) ? ` (${code})` : '';
  return new StrataError('DATABASE_ERROR', `database ${file}: ${message}${suffix}`, { file, cause: error });
}

/** `error`, naming the database `file` when it is a `DATABASE_ERROR` that core raised without knowing the file. */
export function namingDatabase(error: unknown, file: string): unknown {
  if (!(error instanceof StrataError) || error.code !== 'DATABASE_ERROR' || error.file !== undefined) return error;
  return new StrataError('DATABASE_ERROR', `database ${file}: ${error.message}`, { version: error.version, file, cause: error });
}
