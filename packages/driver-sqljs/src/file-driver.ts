import { LOCK_DEFAULTS, type RestoreFromOptions, StrataError } from '@strata/core';
import { createDatabaseFolder, writeFileAtomically } from '@strata/core/node/files';
import { fileStorage } from './file-storage.js';
import { fileStore } from './file-store.js';
import { openSharedDriver, type SharedSqlJsOptions, type SqlJsSharedDriver } from './shared-driver.js';
import type { SqlJsDatabase } from './sqljs.js';

/**
 * Options of {@link openSqlJsFile}: those of `createSqlJsDriver` but `storage`, which is the file, and the lock that
 * keeps processes sharing the file apart.
 *
 * @example
 * ```ts
 * const options: SqlJsFileOptions = { busyTimeoutMs: 60_000, lockStaleMs: 20_000 };
 * ```
 */
export interface SqlJsFileOptions<D extends SqlJsDatabase = SqlJsDatabase> extends SharedSqlJsOptions<D> {
  /**
   * How long a migrate, rollback or save waits for another Strata process holding the file's lock, and for other
   * programs that have the file open to close it, before failing with `LOCK_TIMEOUT`. Default 30 000: the lock is
   * held for another process's whole run, not one transaction.
   */
  readonly busyTimeoutMs?: number;
  /**
   * How long a lock held from another host may go without a refresh before it counts as left by a dead process and
   * is taken over. Default 10 000, at least 2000. A holder on this host keeps its lock while its process runs.
   */
  readonly lockStaleMs?: number;
  /** Told once, after a second of waiting for the lock or for another program, what the wait is for. */
  readonly onWait?: (notice: string) => void;
}

/**
 * A sql.js driver on a file shared with other processes; see {@link openSqlJsFile}.
 *
 * @example
 * ```ts
 * const driver: SqlJsFileDriver = await openSqlJsFile('data/app.db');
 * ```
 */
export interface SqlJsFileDriver<D extends SqlJsDatabase = SqlJsDatabase> extends SqlJsSharedDriver<D> {
  /** The database file. */
  readonly file: string;
  /**
   * Runs `work` holding the file's lock (`<file>.lock`), after reloading the database if another process saved the
   * file since this driver loaded or saved it. `lock.persist()`, and unless `options.nested` is `false` the
   * driver's own `persist()`, save inside `work` under the same lock.
   */
  exclusive: SqlJsSharedDriver<D>['exclusive'];
  restoreFrom(file: string, options?: RestoreFromOptions): Promise<void>;
}

/**
 * Opens a sql.js database kept in a file, which several processes may migrate and save at once.
 *
 * The database lives in memory and a save replaces the file whole, atomically. Each process holds its own copy, so
 * two of them saving in turn would each overwrite what the other saved. Every migrate, rollback and `persist()`
 * therefore holds the lock `<path>.lock` (a folder beside the file, which Strata takes with either driver), waits
 * until no other program has the file open, first reloads the file if another process saved it since, and saves
 * before letting go, so processes take turns and none overwrites another's save. A process waits up to
 * `busyTimeoutMs` (30 s), then fails with `LOCK_TIMEOUT`; a lock left by a process that died is taken over at once.
 * A reload replaces `driver.database`, so read it from the driver each time; one that would throw away changes this
 * process made and has not saved fails with `DATABASE_ERROR` instead. Reads outside those operations see this
 * process's copy, as of its last load, save or run. A file that SQLite may be using (WAL mode, a `-wal` or hot
 * `-journal` beside it) is refused: see {@link fileStorage}.
 *
 * @example
 * ```ts
 * const driver = await openSqlJsFile('data/app.db');
 * await new MigrationManager({ driver, ... }).migrate(); // persists to data/app.db
 * await driver.close();
 * ```
 */
export async function openSqlJsFile<D extends SqlJsDatabase = SqlJsDatabase>(
  path: string,
  options: SqlJsFileOptions<D> = {},
): Promise<SqlJsFileDriver<D>> {
  const { busyTimeoutMs, lockStaleMs, onWait, ...driverOptions } = options;
  // Created now, as the native driver does on opening; the file itself is written by the first save.
  createDatabaseFolder(path);
  const store = fileStore(path, {
    timeoutMs: busyTimeoutMs ?? LOCK_DEFAULTS.sqlJsTimeoutMs,
    staleMs: lockStaleMs ?? LOCK_DEFAULTS.staleMs,
    ...(onWait === undefined ? {} : { onWait }),
  });
  const { driver, replace } = await openSharedDriver<D>(store, driverOptions);
  return Object.assign(driver, {
    file: path,
    restoreFrom: (source: string, restoreOptions: RestoreFromOptions = {}) =>
      driver.exclusive(
        async () => {
          // Read with the same refusals as the database itself: a backup in WAL mode would lose what its -wal holds.
          const read = await fileStorage(source).read();
          if (read === undefined) throw new StrataError('DATABASE_ERROR', `${source} does not exist`, { file: source });
          if (restoreOptions.keep !== undefined) await writeFileAtomically(restoreOptions.keep, await driver.serialize());
          await replace(read.bytes);
        },
        { nested: false },
      ),
  });
}
