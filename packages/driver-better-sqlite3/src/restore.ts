import { closeSync, copyFileSync, fsyncSync, openSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RestoreFromOptions, StrataError } from '@strata/core';
import { temporaryPathBeside } from '@strata/core/node/files';
import Database from 'better-sqlite3';
import type { BetterSqlite3Database } from './connection.js';

// The most pages sqlite3_backup_step copies at once: all of them, so that the lock is held for one step of the loop.
const ALL_PAGES = 0x7fffffff;

/**
 * Replaces the content of the database `db` is connected to with the database in `file`, through SQLite's online
 * backup API: `file` is opened read-only, so SQLite reads it with what its own `-wal` holds, and its pages are written
 * into the database in one write transaction, which takes SQLite's locks like any other. Connections that stay open,
 * `db` among them, read the new content afterwards; none writes into a file that was swapped away.
 *
 * better-sqlite3 opens its own connection to the database for the copy, without a busy handler: when another
 * connection holds the write lock, SQLite answers `SQLITE_BUSY` before copying anything, and better-sqlite3 resolves
 * as if the copy were done, with no pages at all. So the copy is tried again until `db`'s busy timeout is over, then
 * refused with `LOCK_TIMEOUT`. A backup whose page size differs from the database's is first copied with that page
 * size (`VACUUM INTO`): SQLite cannot back up into a WAL database with pages of another size.
 *
 * @example
 * ```ts
 * await restoreInto(driver.database, 'backups/app.20250115T103000123Z.v003.sqlite', { keep: 'backups/replaced.sqlite' });
 * ```
 */
export async function restoreInto(db: BetterSqlite3Database, file: string, options: RestoreFromOptions = {}): Promise<void> {
  const target = mainFileOf(db);
  if (target === '' || db.readonly) {
    throw new StrataError(
      'INVALID_OPTION',
      `a backup can be restored only into a database file opened for writing, not ${db.name}`,
    );
  }
  if (db.inTransaction) {
    throw new StrataError(
      'DATABASE_ERROR',
      `${target} cannot be restored inside a transaction of its own connection; end it first`,
      {
        file: target,
      },
    );
  }
  let source = openReadOnly(file);
  let resized: string | undefined;
  try {
    const pageSize = db.pragma('page_size', { simple: true });
    if (source.pragma('page_size', { simple: true }) !== pageSize) {
      resized = temporaryPathBeside(target);
      source.pragma(`page_size = ${pageSize}`);
      source.prepare('VACUUM INTO ?').run(resized);
      source.close();
      source = openReadOnly(resized);
    }
    await copyPages(source, db, target, options.keep);
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw new StrataError(
      'DATABASE_ERROR',
      `restoring ${target} from ${file} failed: ${messageOf(error)}; nothing was restored`,
      {
        file: target,
        cause: error,
      },
    );
  } finally {
    source.close();
    if (resized !== undefined) rmSync(resized, { force: true });
  }
}

async function copyPages(
  source: BetterSqlite3Database,
  db: BetterSqlite3Database,
  target: string,
  keep: string | undefined,
): Promise<void> {
  const timeoutMs = Number(db.pragma('busy_timeout', { simple: true }));
  const inWal = db.pragma('journal_mode', { simple: true }) === 'wal';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let kept = false;
    const { totalPages } = await source.backup(target, {
      // Called after the first step, which copies no page but takes the database's write lock: from here on no
      // other connection commits, so the copy kept now is exactly what the restore replaces.
      progress: () => {
        if (keep !== undefined && !kept) keepCopy(db, target, keep, inWal);
        kept = true;
        return ALL_PAGES;
      },
    });
    if (totalPages > 0) return;
    if (Date.now() >= deadline) {
      throw new StrataError(
        'LOCK_TIMEOUT',
        `${target} stayed locked by another connection for longer than the busy timeout (${timeoutMs} ms); nothing was restored`,
        { file: target },
      );
    }
    // Jitter keeps two waiting processes from trying in step.
    await sleep(5 + Math.random() * 20);
  }
}

/** Writes the database as it is now to `keep`, and flushes it to disk, while the restore holds the write lock. */
function keepCopy(db: BetterSqlite3Database, target: string, keep: string, inWal: boolean): void {
  if (inWal) {
    // In WAL mode readers go on while one connection writes: this connection reads the last commit.
    db.prepare('VACUUM INTO ?').run(keep);
  } else {
    // In the rollback-journal modes the restore holds the exclusive lock, which shuts out readers, this connection
    // too. With it held nothing is half written and no journal is hot, so the file alone is the whole database.
    copyFileSync(target, keep);
  }
  const handle = openSync(keep, 'r+');
  try {
    fsyncSync(handle);
  } finally {
    closeSync(handle);
  }
}

// The path SQLite opened as the main database (links resolved); empty for a database in memory.
function mainFileOf(db: BetterSqlite3Database): string {
  const rows = db.pragma('database_list') as { name: string; file: string }[];
  return rows.find((row) => row.name === 'main')?.file ?? '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function openReadOnly(file: string): BetterSqlite3Database {
  try {
    return new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new StrataError('DATABASE_ERROR', `backup ${file} cannot be opened: ${messageOf(error)}`, { file, cause: error });
  }
}
