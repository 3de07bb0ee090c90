import { readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The absolute path of the file `path` names, with symbolic links resolved: what a symbolic link to a database
 * points at, so that writing the database replaces the target and leaves the link a link, and so that every name of
 * one file shares one lock. A file that does not exist yet is placed in its folder's real path; a link to nothing is
 * followed to where it points.
 *
 * @example
 * ```ts
 * realPathOf('data/current.db'); // '/srv/app/data/releases/42.db' when data/current.db is a link to it
 * ```
 */
export function realPathOf(path: string): string {
  let absolute = resolve(path);
  // A link to nothing: where it points is where the database will be. The limit stops a loop of links.
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    try {
      return realpathSync(absolute);
    } catch {
      // Missing, or a link to nothing.
    }
    const target = linkTarget(absolute);
    if (target === undefined) break;
    absolute = resolve(dirname(absolute), target);
  }
  try {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    return absolute;
  }
}

const MAX_LINKS = 40;

function linkTarget(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
