import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const URL_SCHEME = /^(?:file|libsql|https?|wss?):/i;

/**
 * The client's URL for what `open` was given: a URL (`file:`, `libsql:`, `http:`, `https:`, `ws:`, `wss:`) as it is,
 * `:memory:` as it is, and a path as the `file:` URL of that file.
 *
 * @example
 * ```ts
 * urlOf('data/app.db'); // 'file:///home/ada/project/data/app.db'
 * urlOf('http://127.0.0.1:8080'); // as it is
 * ```
 */
export function urlOf(target: string): string {
  if (target === ':memory:' || URL_SCHEME.test(target)) return target;
  return pathToFileURL(resolve(target)).href;
}

/**
 * The file a `file:` URL names, for creating its folder; undefined for any other URL.
 *
 * @example
 * ```ts
 * fileOf('file:///srv/app.db'); // '/srv/app.db'
 * ```
 */
export function fileOf(url: string): string | undefined {
  if (!/^file:/i.test(url)) return undefined;
  const path = url.replace(/^file:(?:\/\/(?=\/))?/i, '').replace(/[?#].*$/, '');
  return path === ':memory:' || path === '' ? undefined : decodeURIComponent(path);
}

/**
 * The URL as error messages say it: without its query string, which may hold an `authToken`.
 *
 * @example
 * ```ts
 * displayUrl('libsql://db.example.com?authToken=secret'); // 'libsql://db.example.com'
 * ```
 */
export function displayUrl(url: string): string {
  return url.replace(/\?.*$/, '');
}
