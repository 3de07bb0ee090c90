import { open, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { LOCK_DEFAULTS } from '@strata/core';

/**
 * Removes the database file a failed command created, when it still holds no schema at all, so that the failure
 * leaves the disk as it was. Only a file nobody else may be using is removed: under Strata's lock of the file (taken
 * without waiting: a holder means another process is at work on it), with no other process having it open, and with
 * no log beside it. What it holds is read from the file itself, not from this process's connection, which may be a
 * copy older than the file.
 *
 * @example
 * ```ts
 * if (failed && !existedBefore) await removeIfLeftEmpty('data/app.db');
 * ```
 */
export async function removeIfLeftEmpty(file: string): Promise<void> {
  // Loaded on this failure path only: the CLI's start-up loads the folder loader alone.
  const { acquireFileLock, databaseHolders, realPathOf } = await import('@strata/core/node/files');
  // A symbolic link the user made stays: only what the run created, the file it points at, may go.
  const target = realPathOf(file);
  let lock: Awaited<ReturnType<typeof acquireFileLock>>;
  try {
    lock = await acquireFileLock(file, { timeoutMs: 0, staleMs: LOCK_DEFAULTS.staleMs });
  } catch {
    return;
  }
  try {
    if (databaseHolders(target).length > 0 || (await sizeOf(`${target}-wal`)) > 0 || !(await holdsNoSchema(target))) return;
    for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${target}${suffix}`, { force: true });
  } finally {
    await lock.release();
  }
}

async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => undefined))?.size ?? 0;
}

// SQLite's file format: page 1 holds the 100-byte header, then the b-tree page of the schema table; a leaf page
// (type 13) with no cells is a schema without a single object. An empty file is a database not written yet.
const SCHEMA_PAGE = 100;
const LEAF_TABLE_PAGE = 13;

async function holdsNoSchema(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return false;
  try {
    const bytes = Buffer.alloc(SCHEMA_PAGE + 5);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    if (bytesRead === 0) return true;
    return bytesRead === bytes.length && bytes[SCHEMA_PAGE] === LEAF_TABLE_PAGE && bytes.readUInt16BE(SCHEMA_PAGE + 3) === 0;
  } finally {
    await handle.close();
  }
}

/**
 * Removes the folders a failed command created for its database, from `folder` up to `top`, the first one it created,
 * while they are empty: another process may have put something there meanwhile, and then they stay.
 *
 * @example
 * ```ts
 * if (failed && created !== undefined) await removeFoldersIfEmpty(dirname(databaseFile), created);
 * ```
 */
export async function removeFoldersIfEmpty(folder: string, top: string): Promise<void> {
  for (let current = folder; !relative(top, current).startsWith('..'); current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    if (current === top) return;
  }
}
