// What the shared sql.js driver needs of where a database is kept and of the lock that keeps its users apart: a file
// and Strata's lock folder in Node (file-driver.ts), IndexedDB and a Web Lock in a browser (indexeddb-driver.ts).
import type { ExclusiveOptions, HeldLock } from '@strata/core';
import { sameBytes } from './bytes.js';
import type { SqlJsStorage } from './index.js';

/**
 * A {@link SqlJsStorage} that knows whether what it stores changed since it last loaded or saved it, so that a copy
 * in memory is reloaded only when another process or tab saved meanwhile.
 *
 * @example
 * ```ts
 * if (await storage.changed()) bytes = await storage.load();
 * ```
 */
export interface TrackedStorage extends SqlJsStorage {
  /** Whether the stored database is no longer the version this storage last loaded or saved. */
  changed(): Promise<boolean>;
}

/**
 * The lock of a {@link SharedStore} while it is held.
 *
 * @example
 * ```ts
 * await held.verify(); // throws when the lock was lost, before anything is saved
 * ```
 */
export interface HeldStoreLock {
  /** Throws a `StrataError` when the lock was lost since it was taken, so that nothing is saved over another's save. */
  verify(): Promise<void>;
  /** Tells the lock that its holder is alive, between statements of a long run. */
  keepAlive(): void;
}

/**
 * What the shared driver does under the lock each time it is taken, and gives the work it runs.
 *
 * @example
 * ```ts
 * const hooks: StoreLockHooks = { inside: { persist: async () => {}, soleWriter: true }, enter: async () => reload() };
 * ```
 */
export interface StoreLockHooks {
  /** What `work` is given: saves under the lock already held. */
  readonly inside: HeldLock;
  /** Runs first, holding the lock: reloads what another process or tab saved. */
  readonly enter: () => Promise<void>;
}

/**
 * `Driver.exclusive` over one store's lock.
 *
 * @example
 * ```ts
 * const result = await lock.run(async (held) => { await migrate(); await held.persist(); }, { nested: false });
 * ```
 */
export interface StoreLock {
  /** Runs `work` holding the lock, after {@link StoreLockHooks.enter}; see `Driver.exclusive`. */
  run<T>(work: (lock: HeldLock) => Promise<T>, options?: ExclusiveOptions): Promise<T>;
  /** Runs a save: at once when called inside work that holds the lock, under the lock otherwise. */
  save(work: () => Promise<void>): Promise<void>;
  /** The lock while this process or page holds it. */
  readonly held: HeldStoreLock | undefined;
}

/**
 * Where a shared sql.js database is kept, and the lock that keeps the processes or tabs that use it apart.
 *
 * @example
 * ```ts
 * const store: SharedStore = webLockStore('IndexedDB key "app"', indexedDbStorage({ key: 'app' }), navigator.locks, 'strata:app');
 * ```
 */
export interface SharedStore {
  /** Names the database in messages: a path, or where in IndexedDB it is. */
  readonly name: string;
  /** Who else may save it: another `process` or another `tab`. */
  readonly holder: 'process' | 'tab';
  readonly storage: TrackedStorage;
  /** Makes the store's lock, which runs `hooks.enter` each time it is taken. */
  lock(hooks: StoreLockHooks): StoreLock;
  /** Runs before waiting for the lock, to refuse early what the work would only fail on. */
  readonly beforeLock?: () => Promise<void>;
}

/**
 * A storage that cannot tell whether it changed, made into a {@link TrackedStorage} by keeping a copy of the bytes it
 * last loaded or saved and comparing what it stores with it.
 *
 * @example
 * ```ts
 * const storage = trackedByBytes({ load: async () => saved, save: async (bytes) => { saved = bytes.slice(); } });
 * ```
 */
export function trackedByBytes(storage: SqlJsStorage): TrackedStorage {
  if (isTracked(storage)) return storage;
  const { holds } = storage;
  let known: Uint8Array | undefined;
  return {
    async load() {
      known = await storage.load();
      return known;
    },
    async save(bytes) {
      await storage.save(bytes);
      known = bytes;
    },
    changed: async () => !sameBytes(await storage.load(), known),
    ...(holds === undefined ? {} : { holds: (bytes: Uint8Array) => holds.call(storage, bytes) }),
  };
}

function isTracked(storage: SqlJsStorage): storage is TrackedStorage {
  return typeof (storage as Partial<TrackedStorage>).changed === 'function';
}
