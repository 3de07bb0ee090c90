import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fg from 'fast-glob';
import { StrataError } from '../errors.js';
import type { MigrationSet } from '../migration.js';
import { type MigrationFiles, parseMigrationFiles } from '../parse/files.js';

/**
 * Reads a migrations folder into the map that {@link parseMigrationFiles} takes: every file one level below a
 * migration folder, keyed `<folder>/<file>`, in sorted order. Hidden files are skipped.
 */
export async function readMigrationsFolder(dir: string): Promise<MigrationFiles> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new StrataError('INVALID_OPTION', `migrations folder ${dir} does not exist or is not a folder`, { file: dir });
  }
  const paths = (await fg('*/*', { cwd: dir, onlyFiles: true, dot: false, followSymbolicLinks: false })).sort();
  const texts = await Promise.all(paths.map((path) => readFile(join(dir, path), 'utf8')));
  return Object.fromEntries(paths.map((path, i) => [path, texts[i] ?? '']));
}

/**
 * Loads a migrations folder from disk. Gives exactly what {@link parseMigrationFiles} gives for the same files.
 *
 * @example
 * ```ts
 * const set = await loadMigrationsFolder('./migrations');
 * const manager = new MigrationManager({ driver, migrations: set });
 * ```
 */
export async function loadMigrationsFolder(dir: string): Promise<MigrationSet> {
  return parseMigrationFiles(await readMigrationsFolder(dir));
}
