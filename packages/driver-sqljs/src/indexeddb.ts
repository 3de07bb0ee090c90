// The parts of IndexedDB this file calls, typed locally so the package builds without the DOM library, as sqljs.ts
// does for sql.js. A browser's (or fake-indexeddb's) `indexedDB` satisfies them.
import { StrataError } from '@strata/core';
import type { TrackedStorage } from './shared-store.js';

interface IdbRequest<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
}

type IdbKey = string | readonly string[];

interface IdbObjectStore {
  get(key: IdbKey): IdbRequest<unknown>;
  put(value: unknown, key: IdbKey): IdbRequest<unknown>;
}

interface IdbTransaction {
  readonly error: unknown;
  objectStore(name: string): IdbObjectStore;
  oncomplete: (() => void) | null;
  onabort: (() => void) | null;
  onerror: (() => void) | null;
}

interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite', options?: { durability: 'strict' }): IdbTransaction;
  close(): void;
}

interface IdbFactory {
  open(name: string, version: number): IdbOpenRequest;
}

/**
 * Options of {@link indexedDbStorage}.
 *
 * @example
 * ```ts
 * const options: IndexedDbStorageOptions = { database: 'my-app', key: 'main' };
 * ```
 */
export interface IndexedDbStorageOptions {
  /** The IndexedDB database to keep the bytes in; default `strata`. It has one object store, `databases`. */
  readonly database?: string;
  /** The key the database file is stored under, so one IndexedDB database can hold several SQLite ones. */
  readonly key: string;
}

const STORE = 'databases';

/**
 * A {@link TrackedStorage} in IndexedDB; see {@link indexedDbStorage}.
 *
 * @example
 * ```ts
 * const storage: IndexedDbStorage = indexedDbStorage({ key: 'case-crafter' });
 * ```
 */
export interface IndexedDbStorage extends TrackedStorage {
  /** Where the bytes are kept, for messages: `IndexedDB database "strata", key "case-crafter"`. */
  readonly where: string;
}

/**
 * Stores a sql.js database in IndexedDB: the bytes of the SQLite file under `key` in the object store `databases` of
 * the IndexedDB database `database`, with a count of the saves made under `[key, 'generation']`, so that a tab tells
 * whether another one saved since without reading the database again. Each save is one readwrite transaction that
 * puts the whole file and the next count, so it commits entirely or not at all: a page closed or crashing mid-save
 * leaves the previous bytes. Saves ask for `strict` durability, so a save has reached the disk when it resolves, not
 * just the operating system.
 *
 * @example
 * ```ts
 * const driver = await createSqlJsDriver({ sqlJs: SQL, storage: indexedDbStorage({ key: 'case-crafter' }) });
 * ```
 */
export function indexedDbStorage(options: IndexedDbStorageOptions): IndexedDbStorage {
  const { database = 'strata', key } = options;
  const where = `IndexedDB database "${database}", key "${key}"`;
  const generationKey = [key, 'generation'] as const;
  // The count of saves when this storage last loaded or saved.
  let known: unknown;
  return {
    where,
    async load() {
      const [value, generation] = await transact(
        database,
        'readonly',
        (store) => [store.get(key), store.get(generationKey)],
        where,
      );
      known = generation;
      if (value === undefined) return undefined;
      if (value instanceof Uint8Array) return value;
      if (value instanceof ArrayBuffer) return new Uint8Array(value);
      throw new StrataError('DATABASE_ERROR', `${where} holds a ${typeof value}, not the bytes of a SQLite database`);
    },
    async save(bytes) {
      // Structured clone copies a view's whole buffer; a view on part of a larger buffer is copied down first.
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      const [, generation] = await transact(
        database,
        'readwrite',
        (store) => {
          const put = store.put(whole, key);
          const count = store.get(generationKey);
          const next = { result: 0 };
          count.onsuccess = () => {
            next.result = (typeof count.result === 'number' ? count.result : 0) + 1;
            store.put(next.result, generationKey);
          };
          return [put, next];
        },
        where,
      );
      known = generation;
    },
    async changed() {
      const [generation] = await transact(database, 'readonly', (store) => [store.get(generationKey)], where);
      return generation !== known;
    },
  };
}

/**
 * Runs requests in one transaction and resolves with their results once the transaction has committed (a result
 * is there before the commit; resolving on `complete` waits for the commit itself).
 */
async function transact<const R extends readonly { readonly result: unknown }[]>(
  name: string,
  mode: 'readonly' | 'readwrite',
  requests: (store: IdbObjectStore) => R,
  where: string,
): Promise<{ [I in keyof R]: R[I]['result'] }> {
  const db = await openDatabase(name, where);
  try {
    return await new Promise((resolve, reject) => {
      const transaction =
        mode === 'readwrite' ? db.transaction(STORE, mode, { durability: 'strict' }) : db.transaction(STORE, mode);
      const pending = requests(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(pending.map((request) => request.result) as { [I in keyof R]: R[I]['result'] });
      transaction.onabort = () =>
        reject(failure(`could not ${mode === 'readwrite' ? 'save to' : 'load from'} ${where}`, transaction.error));
    });
  } finally {
    db.close();
  }
}

function openDatabase(name: string, where: string): Promise<IdbDatabase> {
  const factory = (globalThis as { indexedDB?: IdbFactory }).indexedDB;
  if (factory === undefined) {
    return Promise.reject(new StrataError('DATABASE_ERROR', `cannot open ${where}: this environment has no IndexedDB`));
  }
  return new Promise((resolve, reject) => {
    const request = factory.open(name, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(failure(`cannot open ${where}`, request.error));
  });
}

function failure(message: string, cause: unknown): StrataError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new StrataError('DATABASE_ERROR', `${message}${reason}`, { cause });
}
