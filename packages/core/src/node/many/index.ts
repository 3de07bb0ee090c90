import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import type { MigrationSet } from '../../migration.js';
import { checkHistoryTableName } from '../../run/history.js';
import { checkSet } from '../../validate/set.js';
import { loadMigrationSource } from '../migration-source.js';
import type { ManyKind, WorkResult } from './database-work.js';
import { runPool, threadCount } from './pool.js';
import type { InspectResult, ManyOptions, ManyReport, MigrateResult } from './types.js';

export type {
  InspectOutcome,
  InspectResult,
  ManyOptions,
  ManyProgress,
  ManyReport,
  MigrateOutcome,
  MigrateResult,
} from './types.js';

/**
 * Options of {@link migrateMany}: those of every run over many databases, and how far to migrate.
 *
 * @example
 * ```ts
 * const options: MigrateManyOptions = { targets: ['tenants/a.db'], migrations: 'migrations', driver: betterSqlite3, to: '002' };
 * ```
 */
export interface MigrateManyOptions extends ManyOptions<MigrateResult> {
  /** Apply only up to and including this version, as `migrate({ to })`. */
  readonly to?: string;
}

/**
 * Migrates many databases (a database per tenant) with one set of migrations: the set is read, checked and
 * checksummed once, then each database runs exactly as `MigrationManager.migrate` runs one (each migration in its own
 * transaction, under the file's lock), several at once in worker threads. A database that fails, or cannot be opened,
 * is a `failed` row and the others go on, unless `failFast`. A set with problems throws its `ValidationError` before
 * any database is opened. Every connection is closed before its row is reported.
 *
 * @example
 * ```ts
 * import { migrateMany } from '@strata/core/node';
 * import { betterSqlite3 } from '@strata/driver-better-sqlite3';
 *
 * const { results } = await migrateMany({
 *   targets: ['tenants/acme.db', 'tenants/globex.db'],
 *   migrations: 'migrations',
 *   driver: betterSqlite3,
 *   onProgress: ({ done, total }) => console.log(`${done}/${total}`),
 * });
 * for (const r of results) console.log(r.file, r.from, r.to, r.result, r.error?.code);
 * ```
 */
export function migrateMany(options: MigrateManyOptions): Promise<ManyReport<MigrateResult>> {
  return runMany<MigrateResult>('migrate', options, options.to);
}

/**
 * The status of many databases: for each, the version applied last, how many migrations are applied and pending, and
 * its problems (`CHECKSUM_MISMATCH`, `APPLIED_MISSING`, or the error that kept it from being read). Changes nothing,
 * and creates no file: a target that does not exist is a `failed` row.
 *
 * @example
 * ```ts
 * const { results } = await statusMany({ targets, migrations: 'migrations', driver: betterSqlite3 });
 * const behind = results.filter((r) => r.result === 'behind');
 * ```
 */
export function statusMany(options: ManyOptions<InspectResult>): Promise<ManyReport<InspectResult>> {
  return runMany<InspectResult>('status', options, undefined);
}

/**
 * Validates the history of many databases against one set: the set is checked once (a problem in it throws before any
 * database is opened), then each database's applied migrations are compared with it (checksums, missing folders), as
 * `manager.validate({ replay: false })` does. The replay of the folder in memory does not depend on the database:
 * run `validate()` once on an empty database for it.
 *
 * @example
 * ```ts
 * const { results } = await validateMany({ targets, migrations: 'migrations', driver: sqlJsFiles, concurrency: 4 });
 * const broken = results.filter((r) => r.problems.length > 0);
 * ```
 */
export function validateMany(options: ManyOptions<InspectResult>): Promise<ManyReport<InspectResult>> {
  return runMany<InspectResult>('validate', options, undefined);
}

/**
 * What identifies a set of migrations for a run over many: an MD5 over each migration's version and checksum, in
 * order. A report of one run is resumed only with the same digest.
 *
 * @example
 * ```ts
 * migrationsDigest(await loadMigrationsFolder('migrations')); // 'c3a1…'
 * ```
 */
export function migrationsDigest(set: MigrationSet): string {
  const { order } = checkSet(set, { statements: false });
  return createHash('md5')
    .update(order.map((m) => `${m.version} ${m.checksum}\n`).join(''))
    .digest('hex');
}

async function runMany<R extends WorkResult>(
  kind: ManyKind,
  options: ManyOptions<R>,
  to: string | undefined,
): Promise<ManyReport<R>> {
  const started = performance.now();
  if (options.table !== undefined) checkHistoryTableName(options.table);
  const concurrency = threadCount(options.concurrency, options.targets.length);
  // Once for the run, here: read, parsed, checksummed and checked, every down.sql with it (the threads get the text).
  const set = await loadMigrationSource(options.migrations);
  const checked = checkSet(set, { statements: true });
  if (checked.problems.length > 0) throw new ValidationError(checked.problems);
  const { targets } = options;
  const results: (R | undefined)[] = new Array(targets.length);
  let done = 0;
  let failed = 0;
  await runPool(targets, {
    context: { kind, set, factory: options.driver, table: options.table, settings: options.settings ?? {}, to },
    concurrency,
    failFast: options.failFast === true,
    onResult: (index, row) => {
      const result = row as R;
      results[index] = result;
      done += 1;
      if (result.result === 'failed') failed += 1;
      const elapsedMs = performance.now() - started;
      options.onProgress?.({ result, index, done, total: targets.length, failed, elapsedMs });
    },
  });
  return {
    results: targets.map((file, i) => results[i] ?? (skippedRow(kind, file) as R)),
    migrations: { count: checked.order.length, digest: migrationsDigest(set) },
    durationMs: Math.round(performance.now() - started),
  };
}

/** The row of a database not started, as an earlier one failed under `failFast`. */
function skippedRow(kind: ManyKind, file: string): WorkResult {
  if (kind === 'migrate') return { file, result: 'skipped', from: null, to: null, applied: 0, durationMs: 0 };
  return { file, result: 'skipped', version: null, applied: 0, pending: 0, problems: [], durationMs: 0 };
}
