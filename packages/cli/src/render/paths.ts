import { isAbsolute, relative } from 'node:path';
import { isDatabaseUrl, shownDatabase } from '../database-url.js';

/**
 * `path` as a person in `cwd` would type it: relative when it lies inside `cwd`, absolute otherwise, so output never
 * shows a `../../..` walk. A database named by URL is shown as a URL, its password hidden (see {@link shownDatabase}).
 *
 * @example
 * ```ts
 * shownPath('/app', '/app/migrations/004_x'); // 'migrations/004_x'
 * shownPath('/app', '/var/backups/app.db'); // '/var/backups/app.db'
 * ```
 */
export function shownPath(cwd: string, path: string): string {
  if (isDatabaseUrl(path)) return shownDatabase(path);
  const inside = relative(cwd, path);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

/** `512 B`, `48.0 KiB`, `3.2 MiB`: sizes as a person reads them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
