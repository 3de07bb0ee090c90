import { type Stats, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StrataError } from '../errors.js';
import { errorCodeOf, kindOf } from './atomic-file.js';
import { makeFolders } from './make-folders.js';

/**
 * Checks that `file` can name a database file and returns its absolute path. Throws `INVALID_OPTION`, naming
 * `setting` (the option the name came from, such as `--db`) and the path, for an empty name, which would resolve to
 * the working folder; a folder; and an existing file that is not a regular one (a device such as `/dev/null`, a named
 * pipe, a socket), which SQLite cannot use and the sql.js driver would replace by a regular file. A file that does
 * not exist yet is fine, and so is a symbolic link to a regular file.
 *
 * @example
 * ```ts
 * const path = checkDatabaseFile(process.env.DB_FILE ?? 'data/app.db', 'DB_FILE'); // '/srv/app/data/app.db'
 * ```
 */
export function checkDatabaseFile(file: string, setting = 'file'): string {
  if (file === '') {
    throw new StrataError('INVALID_OPTION', `${setting} is empty; name a database file, such as data/app.db`);
  }
  const path = resolve(file);
  // stat follows a symbolic link: what matters is what SQLite would open. A path that cannot be looked at (a folder
  // on the way is a file, or is not readable) is left to whoever opens it, which names the reason.
  let found: Stats | undefined;
  try {
    found = statSync(path, { throwIfNoEntry: false });
  } catch {
    return path;
  }
  if (found === undefined || found.isFile()) return path;
  const message = found.isDirectory()
    ? `${setting} names ${path}, which is a folder, not a database file; name a file in it, such as ${join(path, 'app.db')}`
    : `${setting} names ${path}, which is ${kindOf(found)}, not a regular file that can hold a database`;
  throw new StrataError('INVALID_OPTION', message, { file: path });
}

/**
 * Creates the folder of the database file `file`, and the folders above it, where missing: SQLite and the sql.js
 * driver create a database file but not its folder. Nothing is done for `':memory:'`. Throws `DATABASE_ERROR`, naming
 * the folder and the file, when the folder cannot be created: a file is in the way, or permission is denied. Returns
 * the first folder it created, the one nearest the root, or undefined when they all existed.
 *
 * @example
 * ```ts
 * createDatabaseFolder('data/app.db'); // '/srv/app/data', which now exists
 * ```
 */
export function createDatabaseFolder(file: string): string | undefined {
  if (file === ':memory:' || file === '') return undefined;
  const path = resolve(file);
  const folder = dirname(path);
  try {
    return makeFolders(folder);
  } catch (error) {
    const code = errorCodeOf(error);
    const reason =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file is in the way'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : error instanceof Error
            ? error.message
            : String(error);
    throw new StrataError(
      'DATABASE_ERROR',
      `the folder ${folder} of the database file ${path} cannot be created (${reason}); name a database file in a folder that can be created, or create it first`,
      { file: path, cause: error },
    );
  }
}
