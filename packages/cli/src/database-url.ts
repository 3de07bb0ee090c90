import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverName } from './args.js';

/**
 * Whether the named driver's `--db` is always the URL of a server (rqlite: `http://host:4001`, or several,
 * comma-separated) rather than a file: it is passed on as written and has no default.
 *
 * @example
 * ```ts
 * takesUrl('rqlite'); // true
 * ```
 */
export function takesUrl(driver: DriverName): boolean {
  return driver === 'rqlite';
}

/**
 * Whether `db` names a database by URL (`libsql:`, `http:`, `https:`, `ws:`, `wss:`, `file:`) rather than by path.
 *
 * @example
 * ```ts
 * isDatabaseUrl('http://127.0.0.1:8080'); // true
 * ```
 */
export function isDatabaseUrl(db: string): boolean {
  return /^(?:libsql|https?|wss?|file):/i.test(db);
}

/**
 * Whether the database `db`, opened with `driver`, is a server's rather than a file here: every rqlite database,
 * and a libsql database named by a `libsql:`, `http(s):` or `ws(s):` URL. Such a database has no file to size, copy
 * or replace, and is there whether or not a file of that name is.
 *
 * @example
 * ```ts
 * isServerDatabase('libsql', 'http://127.0.0.1:8080'); // true
 * isServerDatabase('libsql', '/data/app.db'); // false
 * ```
 */
export function isServerDatabase(driver: DriverName, db: string): boolean {
  return takesUrl(driver) || (driver === 'libsql' && isDatabaseUrl(db) && !/^file:/i.test(db));
}

/**
 * The file a libsql `file:` URL without query names, absolute (`file:data/app.db` relative to `cwd`); undefined for
 * any other `db`, which is left as written.
 *
 * @example
 * ```ts
 * fileUrlPath('file:///data/app.db', '/app'); // '/data/app.db'
 * fileUrlPath('file:app.db', '/app'); // '/app/app.db'
 * ```
 */
export function fileUrlPath(db: string, cwd: string): string | undefined {
  if (!/^file:/i.test(db) || db.includes('?') || db.includes('#')) return undefined;
  if (/^file:\/\//i.test(db)) return fileURLToPath(db);
  return resolve(cwd, decodeURIComponent(db.slice('file:'.length)));
}

/**
 * A database's name as output shows it: a URL with its password (`user:password@`) and any `authToken` parameter
 * hidden, as the rqlite driver's messages hide them; a path as it is.
 *
 * @example
 * ```ts
 * shownDatabase('http://bob:secret@127.0.0.1:4001'); // 'http://bob:***@127.0.0.1:4001'
 * ```
 */
export function shownDatabase(db: string): string {
  if (!isDatabaseUrl(db)) return db;
  return db.replace(/\/\/([^/@:,]*):[^/@,]*@/g, '//$1:***@').replace(/([?&]authToken=)[^&#,]*/gi, '$1***');
}
