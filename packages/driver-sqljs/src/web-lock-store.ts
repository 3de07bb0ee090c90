import type { HeldLock } from '@strata/core';
import type { SharedStore, StoreLock, StoreLockHooks, TrackedStorage } from './shared-store.js';
import type { WebLocks } from './web-locks.js';

/**
 * The {@link SharedStore} of a database kept in a browser: its storage (IndexedDB by default) and the Web Lock
 * `lockName`, which keeps the tabs of one origin apart.
 *
 * A page cannot tell a call made inside the work that holds the lock from another of its own calls, so while this page
 * holds it, a call of `exclusive()` that does not say `nested: false`, and any `persist()`, runs at once under it;
 * `exclusive(work, { nested: false })` (what `MigrationManager` calls) always waits for its turn.
 *
 * @example
 * ```ts
 * const { driver } = await openSharedDriver(webLockStore('IndexedDB key "app"', indexedDbStorage({ key: 'app' }), navigator.locks, 'strata:app'));
 * ```
 */
export function webLockStore(name: string, storage: TrackedStorage, locks: WebLocks, lockName: string): SharedStore {
  return { name, holder: 'tab', storage, lock: (hooks) => webLock(locks, lockName, hooks) };
}

// A Web Lock held is not lost while the page lives, and needs no refreshing.
const HELD = { verify: async () => {}, keepAlive: () => {} };

function webLock(locks: WebLocks, lockName: string, hooks: StoreLockHooks): StoreLock {
  let holding = false;
  const run = <T>(work: (lock: HeldLock) => Promise<T>, options?: { readonly nested?: boolean }): Promise<T> => {
    if (holding && options?.nested !== false) return work(hooks.inside);
    return locks.request(lockName, { mode: 'exclusive' }, async () => {
      holding = true;
      try {
        await hooks.enter();
        return await work(hooks.inside);
      } finally {
        holding = false;
      }
    });
  };
  return {
    run,
    save: (work) => (holding ? work() : run(work, { nested: false })),
    get held() {
      return holding ? HELD : undefined;
    },
  };
}
