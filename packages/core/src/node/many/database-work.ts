import { existsSync } from 'node:fs';
import type { Driver, DriverFactory, OpenOptions } from '../../driver.js';
import { type SerializedError, StrataError } from '../../errors.js';
import { MigrationManager } from '../../manager.js';
import type { MigrationSet } from '../../migration.js';
import { RunError } from '../../run/report.js';
import { isWalDatabase } from '../sqlite-file.js';
import type { InspectResult, MigrateResult } from './types.js';

/** What a run over many databases asks of each one. */
export type ManyKind = 'migrate' | 'status' | 'validate';

/** What each database's run needs, the same for every database: made once per thread. */
export interface WorkContext {
  readonly kind: ManyKind;
  /** The checked set: the same object for every database of a thread, so it is checked once there. */
  readonly set: MigrationSet;
  readonly factory: DriverFactory;
  readonly table: string | undefined;
  readonly settings: OpenOptions;
  /** `migrateMany`'s `to`. */
  readonly to: string | undefined;
}

/** The row of one database, whichever the kind. */
export type WorkResult = MigrateResult | InspectResult;

/**
 * Runs one database through the same `MigrationManager` a single run uses, and closes it. Never throws: a database
 * that cannot be opened or read is a failed row naming the file and the error.
 */
export async function workOn(context: WorkContext, file: string): Promise<WorkResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let driver: Driver | undefined;
  let from: string | null = null;
  try {
    if (context.kind !== 'migrate' && !existsSync(file)) {
      throw new StrataError('DATABASE_ERROR', `database ${file} does not exist`, { file });
    }
    driver = await openDatabase(context, file);
    const manager = new MigrationManager({ driver, migrations: context.set, table: context.table });
    if (context.kind === 'migrate') {
      from = (await manager.applied()).at(-1)?.version ?? null;
      return await migrateOne(manager, file, from, context.to, elapsed);
    }
    return await inspectOne(manager, context.kind, file, elapsed);
  } catch (error) {
    const failure = rowError(error, file);
    if (context.kind === 'migrate') {
      return { file, result: 'failed', from, to: from, applied: 0, durationMs: elapsed(), error: failure };
    }
    return { file, result: 'failed', version: null, applied: 0, pending: 0, problems: [failure], durationMs: elapsed() };
  } finally {
    await driver?.close().catch(() => undefined);
  }
}

async function migrateOne(
  manager: MigrationManager,
  file: string,
  from: string | null,
  to: string | undefined,
  elapsed: () => number,
): Promise<MigrateResult> {
  try {
    const report = await manager.migrate(to === undefined ? {} : { to });
    const applied = report.steps.filter((s) => s.status === 'applied');
    const last = applied.at(-1)?.version ?? from;
    const result = applied.length > 0 ? 'migrated' : 'up-to-date';
    return { file, result, from, to: last, applied: applied.length, durationMs: elapsed() };
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    // The migrations applied before the failure stay applied, each in its own transaction.
    const applied = error.report.steps.filter((s) => s.status === 'applied');
    const last = applied.at(-1)?.version ?? from;
    const failure = rowError(error, file);
    return { file, result: 'failed', from, to: last, applied: applied.length, durationMs: elapsed(), error: failure };
  }
}

async function inspectOne(
  manager: MigrationManager,
  kind: 'status' | 'validate',
  file: string,
  elapsed: () => number,
): Promise<InspectResult> {
  const status = await manager.status();
  // The folder itself was checked (and replayed, by the CLI) once for the run: here only this database's history.
  const problems = kind === 'validate' ? (await manager.validate({ replay: false })).problems : status.problems;
  const version = status.applied.at(-1)?.version ?? null;
  const result = problems.length > 0 ? 'problems' : status.pending.length > 0 ? 'behind' : 'current';
  return {
    file,
    result,
    version,
    applied: status.applied.length,
    pending: status.pending.length,
    problems: problems.map((p) => p.toJSON()),
    durationMs: elapsed(),
  };
}

/**
 * The JSON form of what stopped a database: a `StrataError` as it is; anything else (what a SQLite library throws on
 * a file that is not a database, or cannot be opened) a `DATABASE_ERROR` naming the file and the library's code.
 */
export function rowError(error: unknown, file: string): SerializedError {
  // Core's own database errors do not know the file; a row of many must say which database it was.
  if (error instanceof StrataError && error.code === 'DATABASE_ERROR' && error.file === undefined) {
    return { ...error.toJSON(), message: `database ${file}: ${error.message}`, file };
  }
  if (error instanceof StrataError) return error.toJSON();
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const suffix = typeof code === 'string' && !message.includes(code) ? ` (${code})` : '';
  return { code: 'DATABASE_ERROR', message: `database ${file}: ${message}${suffix}`, file };
}

/**
 * Opens one database. A run that only reads sets no journal mode or sync level, and opens the file read-only; but a
 * read-only connection leaves the `-wal` and `-shm` it made beside a WAL file (only a connection that may write
 * removes them as it closes), so a WAL file that has neither, which no other connection has open, is opened for
 * writing and nothing is written, as the CLI does for one database. Where that fails, read-only it is.
 */
async function openDatabase({ kind, settings, factory }: WorkContext, file: string): Promise<Driver> {
  if (kind === 'migrate') return factory.open(file, settings);
  const { journalMode: _journal, synchronous: _sync, ...reading } = settings;
  if (isWalDatabase(file) && !existsSync(`${file}-wal`) && !existsSync(`${file}-shm`)) {
    try {
      return await factory.open(file, reading);
    } catch {
      // Not writable here: read-only, leaving the two files behind.
    }
  }
  return factory.open(file, { ...reading, readonly: true });
}
