import type { SqlJsStorage } from './index.js';
import { indexedDbStorage } from './indexeddb.js';
import { openSharedDriver, type SharedDriver, type SharedSqlJsOptions, type SqlJsSharedDriver } from './shared-driver.js';
import { trackedByBytes } from './shared-store.js';
import type { SqlJsDatabase, SqlJsSource } from './sqljs.js';
import { webLockStore } from './web-lock-store.js';
import { defaultLocks, type WebLocks } from './web-locks.js';

/**
 * Options of {@link openIndexedDbDriver}.
 *
 * @example
 * ```ts
 * const options: IndexedDbDriverOptions = { name: 'case-crafter', sqlJs: () => initSqlJs({ locateFile: () => wasmUrl }) };
 * ```
 */
export interface IndexedDbDriverOptions<D extends SqlJsDatabase = SqlJsDatabase> extends SharedSqlJsOptions<D> {
  /** Names the database: the key it is stored under by default, and the Web Lock `strata:<name>` that guards it. */
  readonly name: string;
  /**
   * An initialised sql.js module, or a function that loads one (called once). Required: in a browser, sql.js finds
   * its wasm file only through the `locateFile` it was initialised with.
   */
  readonly sqlJs: SqlJsSource<D>;
  /** Where the database is kept. Default `indexedDbStorage({ key: name })`. */
  readonly storage?: SqlJsStorage;
  /** The lock that keeps tabs apart. Default `navigator.locks`; without it, opening fails. */
  readonly locks?: WebLocks;
}

/**
 * The Web Lock that guards the browser database called `name`.
 *
 * @example
 * ```ts
 * lockNameOf('case-crafter'); // 'strata:case-crafter'
 * ```
 */
export function lockNameOf(name: string): string {
  return `strata:${name}`;
}

/** {@link openIndexedDbDriver}, with what only `openBrowserDatabase` needs. */
export async function openIndexedDbShared<D extends SqlJsDatabase = SqlJsDatabase>(
  options: IndexedDbDriverOptions<D>,
): Promise<SharedDriver<D>> {
  const { name, storage, locks, ...driverOptions } = options;
  const store = storage ?? indexedDbStorage({ key: name });
  const where = 'where' in store && typeof store.where === 'string' ? store.where : `the browser database "${name}"`;
  const lock = locks ?? defaultLocks();
  return openSharedDriver<D>(webLockStore(where, trackedByBytes(store), lock, lockNameOf(name)), driverOptions);
}

/**
 * Opens a sql.js database kept in browser storage (IndexedDB by default) that the tabs of a page share, as a driver
 * with `exclusive()`: a plain `MigrationManager` over it migrates, rolls back, repairs and baselines holding the Web
 * Lock `strata:<name>`, starting from what is stored (another tab may have saved it) and saving before letting go, so
 * two tabs never both apply a migration or overwrite each other's save. A save happens in one storage write, so a
 * page closed during a run leaves the stored database as it was before it.
 *
 * While this page holds the lock, its own `persist()` and `exclusive()` calls (but those with `nested: false`) run at
 * once under it: a page cannot tell the work holding the lock from its other code. `openBrowserDatabase` adds a
 * queue of operations over one manager.
 *
 * @example
 * ```ts
 * const driver = await openIndexedDbDriver({ name: 'case-crafter', sqlJs: await initSqlJs({ locateFile: () => wasmUrl }) });
 * await new MigrationManager({ driver, migrations: files }).migrate();
 * ```
 */
export async function openIndexedDbDriver<D extends SqlJsDatabase = SqlJsDatabase>(
  options: IndexedDbDriverOptions<D>,
): Promise<SqlJsSharedDriver<D>> {
  return (await openIndexedDbShared(options)).driver;
}
