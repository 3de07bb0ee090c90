import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import { StrataError } from '../errors.js';
import { checkDatabaseFile } from './database-file.js';

/**
 * Where an application keeps its database: `<appName>.db` in the per-user data folder of `appName`
 * (`$XDG_DATA_HOME/<appName>` or `~/.local/share/<appName>` on Linux, `~/Library/Application Support/<appName>` on
 * macOS, `%LOCALAPPDATA%\<appName>\Data` on Windows). Reads `process.env` at each call.
 *
 * @example
 * ```ts
 * appDatabaseFile('case-crafter'); // '/home/ada/.local/share/case-crafter/case-crafter.db'
 * ```
 */
export function appDatabaseFile(appName: string): string {
  let folder: string;
  try {
    folder = envPaths(appName, { suffix: '' }).data;
  } catch (error) {
    throw new StrataError('INVALID_OPTION', `appName ${JSON.stringify(appName)} cannot be a folder name: ${String(error)}`, {
      cause: error,
    });
  }
  return join(folder, `${appName}.db`);
}

/**
 * Where {@link prepareDatabaseFile} takes the database from: an application name or an explicit file.
 *
 * @example
 * ```ts
 * const location: DatabaseLocation = process.env.DB ? { file: process.env.DB } : { appName: 'case-crafter' };
 * ```
 */
export interface DatabaseLocation {
  readonly appName?: string;
  readonly file?: string;
}

/**
 * The absolute path of the database, with its folder ready. The per-user folder of an `appName` is created when
 * missing, since nobody else will create it; the folder of an explicit `file` must exist, so a mistyped path fails
 * loudly instead of scattering databases (as `--db` does in the CLI). A name that cannot be a database file (empty,
 * a folder, a device, a named pipe, a socket) is refused with `INVALID_OPTION`; see {@link checkDatabaseFile}.
 *
 * @example
 * ```ts
 * const file = await prepareDatabaseFile({ appName: 'case-crafter' });
 * ```
 */
export async function prepareDatabaseFile(location: DatabaseLocation): Promise<string> {
  const { appName, file } = location;
  if ((appName === undefined) === (file === undefined)) {
    throw new StrataError(
      'INVALID_OPTION',
      'give either appName (a per-user database) or file (an explicit path), not both or neither',
    );
  }
  if (appName !== undefined) {
    const path = appDatabaseFile(appName);
    await mkdir(dirname(path), { recursive: true });
    return checkDatabaseFile(path, `the database of ${appName}`);
  }
  const path = checkDatabaseFile(file ?? '');
  const folder = await stat(dirname(path)).catch(() => undefined);
  if (folder === undefined || !folder.isDirectory()) {
    throw new StrataError('INVALID_OPTION', `the folder of the database file ${path} does not exist; create it first`, {
      file: path,
    });
  }
  return path;
}
