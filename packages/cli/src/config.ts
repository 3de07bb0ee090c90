import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkHistoryTableName, StrataError } from '@strata/core';
import { checkDatabaseFile } from '@strata/core/node/database-file';
import type { VersionScheme } from '@strata/core/node/operations';
import { DRIVER_NAMES, type DriverName, MIN_LOCK_STALE_MS } from './args.js';
import { type ConnectionOptions, JOURNAL_MODES, type JournalMode, SYNCHRONOUS, type Synchronous } from './connection-options.js';
import { fileUrlPath, isDatabaseUrl } from './database-url.js';

/** The names a config file may have; at most one of them may exist in a folder. */
export const CONFIG_FILES = ['strata.config.json', 'strata.config.yaml', 'strata.config.yml'] as const;

/**
 * Finds the config file that applies in `folder`: the first folder, from `folder` upward, that holds one. The search
 * stops at the repository root (a folder holding `.git`) or the filesystem root, so a project never picks up the
 * config file of a folder around it.
 *
 * @example
 * ```ts
 * // /app/strata.config.yaml and /app/.git exist
 * const config = await findConfig('/app/src/db'); // reads /app/strata.config.yaml
 * ```
 */
export async function findConfig(folder: string): Promise<Config | undefined> {
  for (let at = resolve(folder); ; at = dirname(at)) {
    const config = await readConfig(at);
    if (config !== undefined || existsSync(join(at, '.git')) || dirname(at) === at) return config;
  }
}

/** What a config file sets. Paths are absolute, resolved against the config file's folder. */
export interface Config {
  /** The config file itself. */
  readonly file: string;
  /** The database file, or (for --driver libsql or rqlite) a server's URL as written. */
  readonly db?: string;
  readonly dir?: string;
  readonly driver?: DriverName;
  readonly table?: string;
  readonly busyTimeoutMs?: number;
  readonly lockStaleMs?: number;
  readonly foreignKeys?: boolean;
  readonly journalMode?: JournalMode;
  readonly synchronous?: Synchronous;
  readonly backup?: { readonly dir?: string; readonly keep?: number };
  /** How `new` numbers a migration: `sequence` (the default) or `timestamp`. */
  readonly versions?: VersionScheme;
}

const KEYS = [
  'db',
  'dir',
  'driver',
  'table',
  'busyTimeoutMs',
  'lockStaleMs',
  'foreignKeys',
  'journalMode',
  'synchronous',
  'backup',
  'versions',
];
const VERSION_SCHEMES: readonly VersionScheme[] = ['sequence', 'timestamp'];
const BACKUP_KEYS = ['dir', 'keep'];

/**
 * Reads the config file in `folder`, if there is one. Throws `INVALID_OPTION` naming the file and the key for a file
 * that cannot be parsed, an unknown key, a value of the wrong type, or a `db` that cannot be a database file (a
 * folder, a device, a named pipe, a socket), and when more than one config file exists.
 *
 * @example
 * ```ts
 * // strata.config.yaml: { db: data/app.db, backup: { dir: backups, keep: 7 } }
 * const config = await readConfig(process.cwd()); // { file, db: '/app/data/app.db', backup: { dir: '/app/backups', keep: 7 } }
 * ```
 */
export async function readConfig(folder: string): Promise<Config | undefined> {
  const found: { file: string; text: string }[] = [];
  for (const name of CONFIG_FILES) {
    const file = join(resolve(folder), name);
    const text = readOptional(file);
    if (text !== undefined) found.push({ file, text });
  }
  const [first, second] = found;
  if (first === undefined) return undefined;
  if (second !== undefined) {
    const names = found.map((f) => basename(f.file)).join(' and ');
    throw new StrataError('INVALID_OPTION', `${names} both exist in ${dirname(first.file)}; keep one of them`, {
      file: first.file,
    });
  }
  return checkConfig(await parse(first.file, first.text), first.file);
}

/**
 * The text of a file that may be absent. Read synchronously: looking for three small files at every start-up costs
 * less than the promise machinery around it, and this runs before anything else could use the wait.
 */
function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    // Checked here rather than with core's errorCodeOf: importing @strata/core/node statically would put all of it
    // (backups, restore, bundles) into the chunk every run of the bundled CLI loads.
    if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StrataError('INVALID_OPTION', `config file ${file} cannot be read: ${String(error)}`, { file, cause: error });
  }
}

async function parse(file: string, text: string): Promise<unknown> {
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw invalid(file, `is not valid JSON: ${(error as Error).message}`);
    }
  }
  // Loaded only for a YAML config: most runs have none, and the package costs start-up time.
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { schema: 'core', uniqueKeys: true });
  const [error] = doc.errors;
  if (error !== undefined) throw invalid(file, `is not valid YAML: ${error.message.split('\n')[0]}`);
  return doc.toJS({ maxAliasCount: 100 }) ?? {};
}

/** Checks every key, so one error names every mistake in the file. */
function checkConfig(value: unknown, file: string): Config {
  const problems: string[] = [];
  const problem = (key: string, text: string) => problems.push(`"${key}" ${text}`);
  const at = resolve(dirname(file));
  const record = mapping(value, file, '');
  for (const key of Object.keys(record)) if (!KEYS.includes(key)) problem(key, `is not a setting (allowed: ${KEYS.join(', ')})`);
  const text = (key: string, v: unknown): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === 'string' && v !== '') return v;
    problem(key, 'must be a non-empty string');
    return undefined;
  };
  const path = (key: string, v: unknown) => {
    const given = text(key, v);
    return given === undefined ? undefined : resolve(at, given);
  };
  const databaseFile = (given: string | undefined) => {
    try {
      return given === undefined ? undefined : checkDatabaseFile(given, '"db"');
    } catch (error) {
      if (!(error instanceof StrataError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };
  // A server's URL is kept as written, as --db keeps it; libSQL's file: URL is a file, relative to this folder.
  const databaseName = (given: string | undefined) => {
    if (given === undefined) return undefined;
    const local = fileUrlPath(given, at);
    if (local === undefined && isDatabaseUrl(given)) return given;
    return databaseFile(local ?? resolve(at, given));
  };
  const driver = text('driver', record.driver);
  if (driver !== undefined && !DRIVER_NAMES.includes(driver as DriverName))
    problem('driver', `must be one of ${DRIVER_NAMES.join(', ')}`);
  const table = text('table', record.table);
  if (table !== undefined) {
    try {
      checkHistoryTableName(table);
    } catch {
      problem('table', 'must be a plain identifier (letters, digits and underscores, not starting with a digit or "sqlite_")');
    }
  }
  const milliseconds = (key: string, least: number): number | undefined => {
    const v = record[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= least) return v;
    problem(key, `must be a whole number of milliseconds of at least ${least}`);
    return undefined;
  };
  const busyTimeoutMs = milliseconds('busyTimeoutMs', 0);
  const connection = connectionSettings(record, problem);
  const lockStaleMs = milliseconds('lockStaleMs', MIN_LOCK_STALE_MS);
  const backup = record.backup === undefined ? undefined : mapping(record.backup, file, 'backup');
  for (const key of Object.keys(backup ?? {})) {
    if (!BACKUP_KEYS.includes(key)) problem(`backup.${key}`, `is not a setting (allowed: ${BACKUP_KEYS.join(', ')})`);
  }
  const keep = backup?.keep;
  if (keep !== undefined && !(typeof keep === 'number' && Number.isSafeInteger(keep) && keep >= 1)) {
    problem('backup.keep', 'must be a whole number of at least 1');
  }
  const versions = text('versions', record.versions);
  if (versions !== undefined && !VERSION_SCHEMES.includes(versions as VersionScheme)) {
    problem('versions', `must be ${VERSION_SCHEMES.join(' or ')}`);
  }
  const settings: Config = {
    file,
    ...(versions === undefined ? {} : { versions: versions as VersionScheme }),
    db: databaseName(text('db', record.db)),
    dir: path('dir', record.dir),
    driver: driver as DriverName | undefined,
    table,
    ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
    ...(lockStaleMs === undefined ? {} : { lockStaleMs }),
    ...connection,
    backup: backup === undefined ? undefined : { dir: path('backup.dir', backup.dir), keep: keep as number | undefined },
  };
  if (problems.length > 0) throw invalid(file, problems.join('; '));
  return settings;
}

/** The connection settings of a config file: `foreignKeys` true or false, `journalMode` and `synchronous` by name. */
function connectionSettings(record: Record<string, unknown>, problem: (key: string, text: string) => void): ConnectionOptions {
  const { foreignKeys, journalMode, synchronous } = record;
  if (foreignKeys !== undefined && typeof foreignKeys !== 'boolean') problem('foreignKeys', 'must be true or false');
  const named = <T extends string>(key: string, value: unknown, allowed: readonly T[]): T | undefined => {
    if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
    problem(key, `must be one of ${allowed.join(', ')}`);
    return undefined;
  };
  const settings: ConnectionOptions = {
    foreignKeys: typeof foreignKeys === 'boolean' ? foreignKeys : undefined,
    journalMode: named('journalMode', journalMode, JOURNAL_MODES),
    synchronous: named('synchronous', synchronous, SYNCHRONOUS),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

function mapping(value: unknown, file: string, key: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw invalid(file, key === '' ? 'must hold an object of settings' : `"${key}" must be an object`);
}

function invalid(file: string, text: string): StrataError {
  return new StrataError('INVALID_OPTION', `config file ${file}: ${text}`, { file });
}
