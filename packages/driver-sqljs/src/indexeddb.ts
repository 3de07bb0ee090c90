// The parts of IndexedDB this file calls, typed locally so the package builds without the DOM library, as sqljs.ts
// does for sql.js. A browser's (or fake-indexeddb's) `indexedDB` satisfies them.
import { StrataError } from '@strata/core';
import type { SqlJsStorage } from './index.js';

interface IdbRequest<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
}

interface IdbObjectStore {
  get(key: string): IdbRequest<unknown>;
  put(value: unknown, key: string): IdbRequest<unknown>;
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
 * Stores a sql.js database in IndexedDB: the bytes of the SQLite file under `key` in the object store `databases` of
 * the IndexedDB database `database`. Each save is one readwrite transaction that puts the whole file, so it commits
 * entirely or not at all: a page closed or crashing mid-save leaves the previous bytes. Saves ask for `strict`
 * durability, so a save has reached the disk when it resolves, not just the operating system.
 *
 * @example
 * ```ts
 * const driver = await createSqlJsDriver({ sqlJs: SQL, storage: indexedDbStorage({ key: 'case-crafter' }) });
 * ```
 */
export function indexedDbStorage(options: IndexedDbStorageOptions): SqlJsStorage {
  const { database = 'strata', key } = options;
  const where = `IndexedDB database "${database}", key "${key}"`;
  return {
    async load() {
      const value = await transact(database, 'readonly', (store) => store.get(key), where);
      if (value === undefined) return undefined;
      if (value instanceof Uint8Array) return value;
      if (value instanceof ArrayBuffer) return new Uint8Array(value);
      throw new StrataError('DATABASE_ERROR', `${where} holds a ${typeof value}, not the bytes of a SQLite database`);
    },
    async save(bytes) {
      // Structured clone copies a view's whole buffer; a view on part of a larger buffer is copied down first.
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      await transact(database, 'readwrite', (store) => store.put(whole, key), where);
    },
  };
}

/** Runs one request in its own transaction and resolves with its result once the transaction has committed. */
async function transact<T>(
  name: string,
  mode: 'readonly' | 'readwrite',
  request: (store: IdbObjectStore) => IdbRequest<T>,
  where: string,
): Promise<T> {
  const db = await openDatabase(name, where);
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction =
        mode === 'readwrite' ? db.transaction(STORE, mode, { durability: 'strict' }) : db.transaction(STORE, mode);
      const pending = request(transaction.objectStore(STORE));
      // The request's result is there before the commit; resolving on `complete` waits for the commit itself.
      transaction.oncomplete = () => resolve(pending.result);
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
