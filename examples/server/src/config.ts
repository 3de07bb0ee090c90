import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrataError } from '@strata/core';
import type { ServiceOptions } from './server.js';

/** The repository's migrations folder, found from this file (`dist/config.js`), so any working directory will do. */
export const DEFAULT_MIGRATIONS = fileURLToPath(new URL('../../../migrations', import.meta.url));

/**
 * The service's options from its environment: `DB_FILE`, `MIGRATIONS`, `HOST` and `PORT`. Relative paths are taken
 * from the folder the command was typed in: pnpm runs a package's script in the package's folder and passes the
 * folder it was started from as `INIT_CWD`, so `DB_FILE=data/app.db pnpm --filter @strata/example-server start` at
 * the repository's root means the root's `data/app.db`. A `PORT` that is not a port number is `INVALID_OPTION`.
 *
 * @example
 * ```ts
 * const options = optionsFromEnvironment({ DB_FILE: 'app.db', PORT: '0' }, '/srv/case-crafter');
 * // { file: '/srv/case-crafter/app.db', migrations: DEFAULT_MIGRATIONS, host: '127.0.0.1', port: 0 }
 * ```
 */
export function optionsFromEnvironment(env: NodeJS.ProcessEnv, cwd: string): ServiceOptions {
  const base = env.INIT_CWD ?? cwd;
  const path = (value: string) => (isAbsolute(value) ? value : resolve(base, value));
  return {
    ...(env.DB_FILE === undefined || env.DB_FILE === '' ? {} : { file: path(env.DB_FILE) }),
    migrations: env.MIGRATIONS === undefined || env.MIGRATIONS === '' ? DEFAULT_MIGRATIONS : path(env.MIGRATIONS),
    host: env.HOST === undefined || env.HOST === '' ? '127.0.0.1' : env.HOST,
    port: portOf(env.PORT),
  };
}

function portOf(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new StrataError('INVALID_OPTION', `PORT must be a whole number from 0 to 65535 (0 picks a free port), not "${value}"`);
  }
  return port;
}
