import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExclusiveOptions, HeldLock } from '../driver.js';
import type { StrataError } from '../errors.js';
import { acquireFileLock, type FileLock, type FileLockOptions, WAIT_NOTICE_MS } from './file-lock.js';

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
  /**
   * What, besides Strata's lock, keeps the work from starting now (say, "pid 4242 (node app.js) has app.db open"),
   * asked holding the lock; undefined when nothing does. While something does, the lock is let go, so that a Strata
   * process that needs it to finish can take it, and taken again a moment later, up to the lock's timeout.
   */
  readonly busy?: () => string | undefined;
  /** The error when `busy` has not cleared within the lock's timeout of `waitedMs`. */
  readonly busyTimeout?: (busy: string, waitedMs: number) => StrataError;
  /** Runs first, holding the lock, once nothing is busy: reloading what another process saved, say. */
  readonly enter?: (lock: FileLock) => Promise<void>;
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
    const lock = await acquireUnbusy(path, lockOptions, hooks);
    held = lock;
    const call = { active: true };
    try {
      await hooks.enter?.(lock);
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

// How often a run kept waiting by something busy looks again.
const BUSY_POLL_MS = 100;

/** Takes the lock at a moment when nothing else keeps the work from starting; see {@link FileExclusiveHooks.busy}. */
async function acquireUnbusy(path: string, options: FileLockOptions, hooks: FileExclusiveHooks): Promise<FileLock> {
  const started = Date.now();
  let told = options.onWait === undefined;
  for (;;) {
    const timeoutMs = Math.max(1, options.timeoutMs - (Date.now() - started));
    const lock = await acquireFileLock(path, { ...options, timeoutMs });
    const busy = hooks.busy?.();
    if (busy === undefined) return lock;
    await lock.release();
    const waited = Date.now() - started;
    if (waited >= options.timeoutMs) {
      throw hooks.busyTimeout?.(busy, options.timeoutMs) ?? new Error(`waited ${options.timeoutMs} ms: ${busy}`);
    }
    if (!told && waited >= WAIT_NOTICE_MS) {
      told = true;
      options.onWait?.(`waiting: ${busy}`);
    }
    await new Promise((resolve) => setTimeout(resolve, BUSY_POLL_MS));
  }
}
