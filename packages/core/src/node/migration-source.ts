import type { MigrationSet } from '../migration.js';
import { type Migrations, migrationSetOf } from '../parse/source.js';
import { loadMigrationsFolder } from './load-folder.js';
import { NODE_PARSE_OPTIONS } from './parse-options.js';

/**
 * Where Node-side tools take migrations from: a folder path, a set already loaded, a map of path → text (as a
 * bundler's glob import gives it), or a precomputed bundle (`strata bundle`).
 *
 * @example
 * ```ts
 * const source: MigrationSource = 'migrations';
 * ```
 */
export type MigrationSource = string | Migrations;

/**
 * The migrations of `source` as a set: a folder is read from disk (relative to the working directory), a map is
 * parsed, a set is returned as it is.
 *
 * @example
 * ```ts
 * const set = await loadMigrationSource(options.migrations);
 * ```
 */
export async function loadMigrationSource(source: MigrationSource): Promise<MigrationSet> {
  if (typeof source === 'string') return loadMigrationsFolder(source);
  return migrationSetOf(source, NODE_PARSE_OPTIONS);
}
