import { resolve } from 'node:path';
import type { Driver, DriverFactory } from '../driver.js';
import { messageOf, StrataError } from '../errors.js';
import { VersionSet } from '../migration.js';
import { HistoryTable } from '../run/history.js';
import { type AppliedMigration, checkHistory } from '../validate/history.js';
import { checkSet } from '../validate/set.js';
import { resolveSquashes } from '../validate/squash.js';
import { loadMigrationSource, type MigrationSource } from './migration-source.js';
import { assertSqliteFile } from './sqlite-file.js';

/**
 * Options of {@link checkBackup}.
 *
 * @example
 * ```ts
 * const options: BackupCheckOptions = { factory: betterSqlite3, migrations: 'migrations', table: 'app_migrations' };
 * ```
 */
export interface BackupCheckOptions {
  /** Opens the backup, read-only. */
  readonly factory: DriverFactory;
  /** The migrations the backup's history is compared with. */
  readonly migrations: MigrationSource;
  /** The history table. Default `schema_migrations`. */
  readonly table?: string;
}

/**
 * What {@link checkBackup} found.
 *
 * @example
 * ```ts
 * const { ok, integrityProblems, changed, unknown, pending } = await checkBackup(file, options);
 * ```
 */
export interface BackupCheck {
  /** The absolute path of the backup. */
  readonly file: string;
  /** What `PRAGMA quick_check` reported, or why the file could not be read; empty when the file is intact. */
  readonly integrityProblems: readonly string[];
  /**
   * Why the file is not a database of these migrations, though intact: it has no history table (`it has no
   * schema_migrations table`), or objects Strata never makes hook into it (`trigger wipe_users is attached to
   * schema_migrations`, a view that reads it). Empty when it is one. A restore needs `force` to take such a file.
   */
  readonly historyTableProblems: readonly string[];
  /** The history the backup records, oldest first; empty when it has none or is damaged. */
  readonly applied: readonly AppliedMigration[];
  /** The last applied version, or null. */
  readonly version: string | null;
  /** Versions of the migrations the backup has not applied, in run order; restoring such a backup is fine. */
  readonly pending: readonly string[];
  /** Applied versions whose recorded checksum differs from their up.sql now. */
  readonly changed: readonly string[];
  /** Applied versions the migrations do not have. */
  readonly unknown: readonly string[];
  /** The differences as errors (`CHECKSUM_MISMATCH`, `APPLIED_MISSING`), with messages naming the files. */
  readonly problems: readonly StrataError[];
  /** Whether the backup is intact, a database of these migrations, and matches them, so a restore needs no `force`. */
  readonly ok: boolean;
}

/**
 * Checks that a file is a usable backup for the given migrations, changing nothing: it must start with SQLite's
 * header (else `DATABASE_ERROR` naming the file is thrown), pass `PRAGMA quick_check` (opened read-only through
 * `factory`), have the history table with nothing else attached to it, and record only migrations whose checksums
 * match the migrations now. Pending migrations are fine.
 *
 * @example
 * ```ts
 * const check = await checkBackup('data/backups/app.20250115T103000123Z.v003.sqlite', { factory: betterSqlite3, migrations: 'migrations' });
 * if (!check.ok) console.error(check.integrityProblems, check.changed, check.unknown);
 * ```
 */
export async function checkBackup(file: string, options: BackupCheckOptions): Promise<BackupCheck> {
  const path = resolve(file);
  await assertSqliteFile(path);
  const checked = checkSet(await loadMigrationSource(options.migrations));
  let driver: Driver;
  try {
    driver = await options.factory.open(path, { readonly: true });
  } catch (error) {
    // A driver's refusal (sql.js before a backup in WAL mode) says what to do; it is not damage.
    if (error instanceof StrataError) throw error;
    return report(path, [`it cannot be opened: ${messageOf(error)}`], []);
  }
  try {
    const integrityProblems = await quickCheck(driver);
    // A damaged file's history cannot be trusted, and reading it may fail; damage alone decides then.
    if (integrityProblems.length > 0) return report(path, integrityProblems, []);
    const history = new HistoryTable(driver, options.table);
    const historyTableProblems = await historyTableProblemsOf(driver, history.name);
    const applied = await history.list().catch((error: unknown) => {
      // What is not Strata's history table may not read as one; that it is not one is the problem to report then.
      if (historyTableProblems.length > 0) return [];
      throw new StrataError('DATABASE_ERROR', `the history table of backup ${path} cannot be read: ${messageOf(error)}`, {
        file: path,
        cause: error,
      });
    });
    const { order, byVersion, problems: squashProblems } = resolveSquashes(checked, applied);
    const problems = [...squashProblems, ...checkHistory(byVersion, applied, false, [], checked.squashes)];
    const done = new VersionSet(applied.map((row) => row.version));
    return report(path, integrityProblems, applied, {
      historyTableProblems,
      pending: order.filter((m) => !done.has(m.version)).map((m) => m.version),
      problems,
    });
  } finally {
    await driver.close();
  }
}

async function quickCheck(driver: Driver): Promise<string[]> {
  try {
    const messages = (await driver.query('PRAGMA quick_check')).map((row) => String(row.quick_check));
    return messages.length === 1 && messages[0] === 'ok' ? [] : messages;
  } catch (error) {
    // SQLite stops with SQLITE_CORRUPT instead of listing problems when the damage is bad enough.
    return [messageOf(error)];
  }
}

/**
 * What makes `table` not Strata's history table as Strata makes it, or shows that something else hooks into it: it
 * is missing or not a table; a trigger or an index is attached to it; a trigger or a view elsewhere names it. Such a
 * trigger runs whenever Strata records a migration.
 */
async function historyTableProblemsOf(driver: Driver, table: string): Promise<string[]> {
  const objects = await driver.query<{ type: string; name: string; tbl_name: string; sql: string | null }>(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex_%' ORDER BY type, name",
  );
  // SQLite's names ignore case; the table name is a plain identifier, so \b delimits it in SQL text.
  const key = table.toLowerCase();
  const names = new RegExp(`\\b${table}\\b`, 'i');
  const history = objects.find((object) => object.name.toLowerCase() === key);
  const problems: string[] = [];
  if (history === undefined) problems.push(`it has no ${table} table`);
  else if (history.type !== 'table') problems.push(`its ${table} is a ${history.type}, not a table`);
  for (const object of objects) {
    if (object === history) continue;
    if (object.tbl_name.toLowerCase() === key) problems.push(`${object.type} ${object.name} is attached to ${table}`);
    else if ((object.type === 'trigger' || object.type === 'view') && names.test(object.sql ?? '')) {
      problems.push(`${object.type} ${object.name} refers to ${table}`);
    }
  }
  return problems;
}

function report(
  file: string,
  integrityProblems: readonly string[],
  applied: readonly AppliedMigration[],
  found: {
    historyTableProblems: readonly string[];
    pending: readonly string[];
    problems: readonly StrataError[];
  } = { historyTableProblems: [], pending: [], problems: [] },
): BackupCheck {
  const versionsWith = (code: string) => found.problems.filter((p) => p.code === code).map((p) => p.version ?? '');
  return {
    file,
    integrityProblems,
    historyTableProblems: found.historyTableProblems,
    applied,
    version: applied.at(-1)?.version ?? null,
    pending: found.pending,
    changed: versionsWith('CHECKSUM_MISMATCH'),
    unknown: versionsWith('APPLIED_MISSING'),
    problems: found.problems,
    ok: integrityProblems.length === 0 && found.historyTableProblems.length === 0 && found.problems.length === 0,
  };
}
