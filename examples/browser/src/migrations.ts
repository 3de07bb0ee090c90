import type { MigrationFiles } from '@strata/core';

// The repository's migrations folder, the one the server and the CLI use. Vite turns the glob into a map of
// path → file text at build time; core keeps the last two segments of each key (`001_initial_schema/up.sql`).
const BUILT_IN = import.meta.glob<string>('../../../migrations/*/*', { query: '?raw', import: 'default', eager: true });

// Migrations only tests ask for, with `?extra=<folder>`: one that fails, one that runs for seconds.
const TEST_ONLY = import.meta.glob<string>('../test-migrations/*/*', { query: '?raw', import: 'default', eager: true });

/**
 * The page's migrations: the built-in folder plus the test folders named in `extras`.
 *
 * @example
 * ```ts
 * const files = migrationFiles(new URLSearchParams(location.search).getAll('extra'));
 * ```
 */
export function migrationFiles(extras: readonly string[]): MigrationFiles {
  const chosen = Object.entries(TEST_ONLY).filter(([path]) => extras.includes(path.split('/').at(-2) ?? ''));
  return { ...BUILT_IN, ...Object.fromEntries(chosen) };
}
