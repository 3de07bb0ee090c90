import { StrataError } from '@strata/core';

/**
 * What {@link openBrowserDatabase} needs of the Web Locks API: `navigator.locks` has it.
 *
 * @example
 * ```ts
 * const locks: WebLocks = navigator.locks;
 * ```
 */
export interface WebLocks {
  /** Waits for the lock called `name`, runs `callback` holding it, and releases it when the callback's promise settles. */
  request<T>(name: string, options: { readonly mode: 'exclusive' }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

/**
 * A lock for a page that knows it is the only one using its database: it queues the runs of this page, and nothing
 * else. Two tabs each holding one are not kept apart, so use it only where a second page cannot open the database
 * (a single-instance app, a test) or where `navigator.locks` is missing and one tab at a time is acceptable.
 *
 * @example
 * ```ts
 * const db = await openBrowserDatabase({ name: 'app', sqlJs: SQL, migrations: files, locks: inPageLocks() });
 * ```
 */
export function inPageLocks(): WebLocks {
  const queues = new Map<string, Promise<unknown>>();
  return {
    request(name, _options, callback) {
      const previous = queues.get(name) ?? Promise.resolve();
      const result = previous.then(() => callback(null));
      const settled = result.catch(() => undefined);
      queues.set(name, settled);
      // Forget a name once its queue is empty, so a page that opens many databases does not keep them all.
      void settled.then(() => {
        if (queues.get(name) === settled) queues.delete(name);
      });
      return result;
    },
  };
}

/** `navigator.locks`, or an error that says why it is needed and what to do without it. */
export function defaultLocks(): WebLocks {
  const locks = (globalThis as { navigator?: { locks?: WebLocks } }).navigator?.locks;
  if (locks !== undefined) return locks;
  throw new StrataError(
    'INVALID_OPTION',
    'openBrowserDatabase needs the Web Locks API (navigator.locks) so that two tabs never migrate or save the same ' +
      'database at once, and this page has none: browsers offer it only in secure contexts (https:// or localhost). ' +
      'Serve the page securely, or pass `locks: inPageLocks()` if only one tab at a time can open the database',
  );
}
