import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DriverName } from '../args.js';
import { isDatabaseUrl, isServerDatabase, shownDatabase } from '../database-url.js';
import { UsageError } from '../usage-error.js';

/** The prefix of a `--db` that names a list file: `--db @tenants.txt`. */
export const LIST_PREFIX = '@';

/** Characters without which a path is no glob: only a path with one of them loads the glob library to tell. */
const GLOB_CHARACTERS = /[*?[\]{}()!+@]/;

/** The glob library, loaded only for a `--db` that may be a glob: a run over one database never loads it. */
const globs = () => import('tinyglobby');

/**
 * Whether the `--db` options given make a run over many databases: more than one, a glob, or a list file. One plain
 * file is the single-database run, exactly as it always was.
 *
 * @example
 * ```ts
 * await manyDatabases(['tenants/*.db']); // true
 * await manyDatabases(['data/app.db']); // false
 * ```
 */
export async function manyDatabases(databases: readonly string[]): Promise<boolean> {
  const [first] = databases;
  if (databases.length > 1) return true;
  // A URL's `?` starts its query, never a glob.
  if (first === undefined || !GLOB_CHARACTERS.test(first) || isDatabaseUrl(first)) return false;
  return first.startsWith(LIST_PREFIX) || (await globs()).isDynamicPattern(first);
}

/**
 * The database files the `--db` options name, absolute, each once, in order: a glob's matches sorted by path
 * (relative to `cwd`; a glob that matches no file is a usage error naming it), a list file's lines (`@FILE`: one path
 * a line, relative to the list file's folder; blank lines and lines starting with `#` are skipped), a plain path as
 * it is (it need not exist: `migrate` creates it).
 *
 * @example
 * ```ts
 * await resolveTargets(['tenants/*.db', '@more.txt'], '/srv'); // ['/srv/tenants/a.db', '/srv/tenants/b.db', '/srv/c.db']
 * ```
 */
export async function resolveTargets(databases: readonly string[], cwd: string): Promise<string[]> {
  const seen = new Set<string>();
  for (const db of databases) for (const file of await expand(db, cwd)) seen.add(file);
  return [...seen];
}

async function expand(db: string, cwd: string): Promise<string[]> {
  if (db === '') throw new UsageError('--db is empty: give a database file, a glob or @FILE');
  if (isDatabaseUrl(db)) return [db];
  if (db.startsWith(LIST_PREFIX)) return listFile(resolve(cwd, db.slice(LIST_PREFIX.length)), db);
  if (!GLOB_CHARACTERS.test(db)) return [resolve(cwd, db)];
  const { globSync, isDynamicPattern } = await globs();
  if (!isDynamicPattern(db)) return [resolve(cwd, db)];
  const found = globSync(db, { cwd, absolute: true, onlyFiles: true, expandDirectories: false, dot: false });
  if (found.length === 0) throw new UsageError(`--db ${db} matches no file (in ${cwd})`);
  return found.map((file) => resolve(file)).sort();
}

function listFile(path: string, given: string): string[] {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new Error('it is not a file');
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const why = (error as { code?: unknown }).code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
    throw new UsageError(`--db ${given}: cannot read the list of databases ${path}: ${why}`);
  }
  const files = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => (isDatabaseUrl(line) ? line : resolve(dirname(path), line)));
  if (files.length === 0) throw new UsageError(`--db ${given}: the list ${path} names no database`);
  return files;
}

/**
 * Refuses, as a usage error, a run over many databases of which one is a server's (see {@link isServerDatabase}):
 * such runs open, lock and report database files; a server's database is migrated by one run of its own.
 *
 * @example
 * ```ts
 * refuseServerTargets('rqlite', ['http://a:4001', 'http://b:4001']); // throws
 * ```
 */
export function refuseServerTargets(driver: DriverName, targets: readonly string[]): void {
  const server = targets.find((db) => isServerDatabase(driver, db) || isDatabaseUrl(db));
  if (server === undefined) return;
  throw new UsageError(
    `${shownDatabase(server)} is a server's database (--driver ${driver}), and --db given several times, as a glob or as @FILE is for database files: run once for each server, with one --db URL`,
  );
}
