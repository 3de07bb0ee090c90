import { join } from 'node:path';
import envPaths from 'env-paths';
import { StrataError } from '../errors.js';
import { checkDatabaseFile, createDatabaseFolder } from './database-file.js';

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
 * The absolute path of the database, with its folder ready: a missing folder is created, the per-user folder of an
 * `appName` and the folder of an explicit `file` alike (see {@link createDatabaseFolder}). A name that cannot be a
 * database file (empty, a folder, a device, a named pipe, a socket) is refused with `INVALID_OPTION`; see
 * {@link checkDatabaseFile}.
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
  const path =
    appName !== undefined
      ? checkDatabaseFile(appDatabaseFile(appName), `the database of ${appName}`)
      : checkDatabaseFile(file ?? '');
  createDatabaseFolder(path);
  return path;
}
