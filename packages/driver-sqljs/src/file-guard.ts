import { open, stat } from 'node:fs/promises';
import { StrataError } from '@strata/core';
import { databaseHolders, describeHolders, errorCodeOf, type FileHolder, isWalDatabase, kindOf } from '@strata/core/node/files';

/**
 * Which version of a file this is: device, inode, size and modification time. A save replaces the file by renaming a
 * new one over it, so every save gives it a new inode; a program that writes it in place (SQLite) changes its size or
 * modification time.
 */
export type FileIdentity = string;

/**
 * The identity of a file from its `stat`.
 *
 * @example
 * ```ts
 * identityOf(await stat('app.db', { bigint: true })); // '2049:1234567:8192:1733232000123456789'
 * ```
 */
export function identityOf(stats: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint }): FileIdentity {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

// SQLite's file format: a rollback journal that holds a transaction starts with this magic number (zeroed once the
// transaction is over).
const JOURNAL_MAGIC = Buffer.from('d9d505f920a163d7', 'hex');

/**
 * Throws `DATABASE_ERROR`, naming the file and what to do, when sql.js must not read or write the database at `target`
 * because SQLite may hold part of it elsewhere or be writing it: the database is not a regular file; its header says
 * WAL mode (committed rows may sit in `-wal`, and a program may have it open); its `-wal` is not empty; its `-journal`
 * holds a transaction (a writer is at work, or was interrupted and left a hot journal that only SQLite can roll back);
 * or, with `holders`, a process has the database or one of its journals open or locked (Linux only; see
 * `fileHolders`). `path` is the name the user gave, for messages.
 *
 * @example
 * ```ts
 * await assertNotInUse('data/app.db', '/srv/app/data/app.db', { holders: true });
 * ```
 */
export async function assertNotInUse(path: string, target: string, options: { holders: boolean }): Promise<void> {
  const found = await stat(target).catch((error: unknown) => {
    if (errorCodeOf(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (found !== undefined && !found.isFile()) {
    throw new StrataError('DATABASE_ERROR', `${path} is ${kindOf(found)}, not a database file`, { file: path });
  }
  const walSize = (await stat(`${target}-wal`).catch(() => undefined))?.size ?? 0;
  if (walSize > 0) {
    throw new StrataError(
      'DATABASE_ERROR',
      `${path}-wal holds ${walSize} bytes of commits that are not in ${path} yet, which sql.js cannot read: a program ` +
        'has the database open in WAL mode, or one that had it open was killed. Stop that program; then let SQLite ' +
        `move those commits into the file and leave WAL mode (sqlite3 ${path} "PRAGMA journal_mode=DELETE"), or use ` +
        'the better-sqlite3 driver for this file',
      { file: path },
    );
  }
  if (isWalDatabase(target)) {
    throw new StrataError(
      'DATABASE_ERROR',
      `${path} is in WAL mode, which sql.js cannot share: SQLite may keep committed rows in ${path}-wal and ` +
        `${path}-shm while a program has it open. Use the better-sqlite3 driver for this file, or switch it to ` +
        `rollback-journal mode once while no program has it open (sqlite3 ${path} "PRAGMA journal_mode=DELETE")`,
      { file: path },
    );
  }
  const journal = await readStart(`${target}-journal`, JOURNAL_MAGIC.length);
  if (journal instanceof Uint8Array && Buffer.from(journal).equals(JOURNAL_MAGIC)) {
    throw new StrataError(
      'DATABASE_ERROR',
      `${path}-journal holds a transaction: a program is writing the database, or one was killed while it wrote and ` +
        'left the file half-written (a hot journal that only SQLite can roll back). Stop that program; then let ' +
        `SQLite roll the journal back (sqlite3 ${path} "PRAGMA journal_mode=DELETE"), or use the better-sqlite3 driver`,
      { file: path },
    );
  }
  if (options.holders) {
    const holders = databaseHolders(target);
    if (holders.length > 0) throw inUseBy(path, holders);
  }
}

/**
 * The refusal for a database that processes have open: sql.js cannot take SQLite's locks, so replacing the file could
 * lose what they commit.
 *
 * @example
 * ```ts
 * throw inUseBy('data/app.db', holdersOf(target));
 * ```
 */
export function inUseBy(path: string, holders: readonly FileHolder[]): StrataError {
  return new StrataError(
    'DATABASE_ERROR',
    `${path} is open in ${describeHolders(holders)}; sql.js cannot take SQLite’s locks, so saving over the file could ` +
      'lose what that program commits, and nothing was saved. Stop it (or close its connection), or use the ' +
      'better-sqlite3 driver, which shares the file through SQLite’s locks',
    { file: path },
  );
}

/** The first `length` bytes of a file; undefined when it does not exist, 'not a file' when it is something else. */
async function readStart(file: string, length: number): Promise<Uint8Array | 'not a file' | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    const found = await stat(file);
    if (!found.isFile()) return 'not a file';
    handle = await open(file, 'r');
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const bytes = new Uint8Array(length);
    const { bytesRead } = await handle.read(bytes, 0, length, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
