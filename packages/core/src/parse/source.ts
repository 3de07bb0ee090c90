import type { MigrationSet } from '../migration.js';
import { type MigrationFiles, type MigrationFilesOptions, parseMigrationFiles } from './files.js';
import { isPrecomputedMigrations, type PrecomputedMigrations, precomputedSet } from './precomputed.js';

/**
 * Migrations in any form a manager takes: a set already loaded, a map of path → text (a bundler's glob import, or a
 * bundle of the older file-map format), or a precomputed bundle (`strata bundle`).
 *
 * @example
 * ```ts
 * const migrations: Migrations = { '001_init/up.sql': 'CREATE TABLE t (id INTEGER PRIMARY KEY);' };
 * ```
 */
export type Migrations = MigrationSet | MigrationFiles | PrecomputedMigrations;

/**
 * The set `source` holds: a set as it is, a precomputed bundle without hashing or parsing anything (see
 * {@link precomputedSet}; `INVALID_BUNDLE` for another format version), a map of files parsed with `options`.
 *
 * @example
 * ```ts
 * const set = migrationSetOf(bundle); // the default export of a module `strata bundle` wrote
 * ```
 */
export function migrationSetOf(source: Migrations, options: MigrationFilesOptions = {}): MigrationSet {
  if (isPrecomputedMigrations(source)) return precomputedSet(source);
  return isMigrationSet(source) ? source : parseMigrationFiles(source as MigrationFiles, options);
}

function isMigrationSet(source: Migrations): source is MigrationSet {
  return Array.isArray((source as MigrationSet).migrations) && Array.isArray((source as MigrationSet).problems);
}
