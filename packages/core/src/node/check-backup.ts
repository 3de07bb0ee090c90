import { resolve } from 'node:path';
import type { Driver, DriverFactory } from '../driver.js';
import { messageOf, type StrataError } from '../errors.js';
import { VersionSet } from '../migration.js';
import { HistoryTable } from '../run/history.js';
import { type AppliedMigration, checkHistory } from '../validate/history.js';
import { checkSet } from '../validate/set.js';
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
  /** Whether the backup is intact and matches the migrations, so a restore needs no `force`. */
  readonly ok: boolean;
}

/**
 * Checks that a file is a usable backup for the given migrations, changing nothing: it must start with SQLite's
 * header (else `DATABASE_ERROR` naming the file is thrown), pass `PRAGMA quick_check` (opened read-only through
 * `factory`), and record only migrations whose checksums match the migrations now. Pending migrations are fine.
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
  const { order, byVersion } = checkSet(await loadMigrationSource(options.migrations));
  let driver: Driver;
  try {
    driver = await options.factory.open(path, { readonly: true });
  } catch (error) {
    return report(path, [`it cannot be opened: ${messageOf(error)}`], []);
  }
  try {
    const integrityProblems = await quickCheck(driver);
    // A damaged file's history cannot be trusted, and reading it may fail; damage alone decides then.
    const applied = integrityProblems.length > 0 ? [] : await new HistoryTable(driver, options.table).list();
    const problems = checkHistory(byVersion, applied);
    const done = new VersionSet(applied.map((row) => row.version));
    return report(path, integrityProblems, applied, {
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

function report(
  file: string,
  integrityProblems: readonly string[],
  applied: readonly AppliedMigration[],
  found: { pending: readonly string[]; problems: readonly StrataError[] } = { pending: [], problems: [] },
): BackupCheck {
  const versionsWith = (code: string) => found.problems.filter((p) => p.code === code).map((p) => p.version ?? '');
  return {
    file,
    integrityProblems,
    applied,
    version: applied.at(-1)?.version ?? null,
    pending: found.pending,
    changed: versionsWith('CHECKSUM_MISMATCH'),
    unknown: versionsWith('APPLIED_MISSING'),
    problems: found.problems,
    ok: integrityProblems.length === 0 && found.problems.length === 0,
  };
}
