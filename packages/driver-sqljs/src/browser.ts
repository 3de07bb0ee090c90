// Browser persistence for the sql.js driver: the database in IndexedDB, shared between tabs under a Web Lock.
export { type BrowserDatabase, type BrowserDatabaseOptions, openBrowserDatabase } from './browser-database.js';
export { type IndexedDbStorage, type IndexedDbStorageOptions, indexedDbStorage } from './indexeddb.js';
export { type IndexedDbDriverOptions, lockNameOf, openIndexedDbDriver } from './indexeddb-driver.js';
export type { SharedSqlJsOptions, SqlJsSharedDriver } from './shared-driver.js';
export { inPageLocks, type WebLocks } from './web-locks.js';
