import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExclusiveOptions, HeldLock } from '../driver.js';
import { acquireFileLock, type FileLock, type FileLockOptions } from './file-lock.js';

/**
 * What a driver over a file does around the work of {@link FileExclusive.run}, under Strata's lock of the file.
 *
 * @example
 * ```ts
 * const hooks: FileExclusiveHooks = { inside: { persist: async () => {} }, enter: async () => reloadIfChanged() };
 * ```
 */
export interface FileExclusiveHooks {
  /** What `work` is given: saves under the lock already held. */
  readonly inside: HeldLock;
  /** Runs first, holding the lock: waiting for other programs, reloading what another process saved. */
  readonly enter?: (lock: FileLock, started: number) => Promise<void>;
}

/**
 * `Driver.exclusive` for a database file, shared by the drivers over files: Strata's cross-process lock of the file
 * ({@link acquireFileLock}) around `work`, calls of the driver's own `exclusive()` made inside `work` running at once
 * under it, and the lock checked again before the result counts.
 *
 * @example
 * ```ts
 * const locked = fileExclusive('data/app.db', { timeoutMs: 5000, staleMs: 10_000 }, { inside: { persist: async () => {} } });
 * await locked.run(async () => migrate());
 * ```
 */
export interface FileExclusive {
  run<T>(work: (lock: HeldLock) => Promise<T>, options?: ExclusiveOptions): Promise<T>;
  /** The lock while one is held, for work that refreshes it between steps ({@link FileLock.keepAlive}). */
  readonly held: FileLock | undefined;
}

/**
 * Makes the {@link FileExclusive} of the file at `path`.
 *
 * @example
 * ```ts
 * const locked = fileExclusive(path, lockOptions, { inside, enter: (lock, started) => waitAndReload(started) });
 * const driver = { ...base, exclusive: locked.run };
 * ```
 */
export function fileExclusive(path: string, lockOptions: FileLockOptions, hooks: FileExclusiveHooks): FileExclusive {
  // The run() call the running code is inside, so that a nested call does not wait for itself. A callback scheduled
  // inside one keeps it as its context after it ended, hence the flag.
  const holding = new AsyncLocalStorage<{ active: boolean }>();
  let held: FileLock | undefined;
  const run = async <T>(work: (lock: HeldLock) => Promise<T>, options?: ExclusiveOptions): Promise<T> => {
    if (holding.getStore()?.active === true) return work(hooks.inside);
    const started = Date.now();
    const lock = await acquireFileLock(path, lockOptions);
    held = lock;
    const call = { active: true };
    try {
      await hooks.enter?.(lock, started);
      // Only work that may call the driver itself runs in the AsyncLocalStorage: once one runs, Node calls its hooks
      // for every promise made, which costs a run of a thousand migrations a tenth of its time.
      const result = options?.nested === false ? await work(hooks.inside) : await holding.run(call, () => work(hooks.inside));
      // Also fails a run that saved nothing but lost its lock, since what it read may have been changed meanwhile.
      await lock.verify();
      return result;
    } finally {
      call.active = false;
      held = undefined;
      await lock.release();
    }
  };
  return {
    run,
    get held() {
      return held;
    },
  };
}
