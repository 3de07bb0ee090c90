import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StrataError } from '../errors.js';
import { isRunning, thisProcess } from './processes.js';
import { realPathOf } from './real-path.js';

/**
 * A temporary path beside `path`, in the same folder (so a rename onto `path` is atomic) and hidden, with a name no
 * other process or call will pick: `.<name>.<pid>.<12 hex digits>.tmp`. The process id lets a later run tell the
 * leftovers of a process that was killed from the files of one still writing ({@link removeLeftoverFiles}).
 */
export function temporaryPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

const TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temporary files that processes of this host left in `folder` when they were killed in the middle of a
 * write (see {@link temporaryPathBeside}); those of processes still running stay. Returns the paths removed.
 *
 * @example
 * ```ts
 * await removeLeftoverFiles('data'); // ['data/.app.db.4242.9f86d081884c.tmp']
 * ```
 */
export async function removeLeftoverFiles(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const removed: string[] = [];
  // Taken as processes of this host and process-id space: the name holds no more.
  const { host, space } = thisProcess();
  for (const name of names) {
    const pid = Number(TEMPORARY.exec(name)?.[1] ?? Number.NaN);
    if (Number.isNaN(pid) || pid === process.pid || isRunning({ pid, host, ...(space === undefined ? {} : { space }) })) continue;
    const path = join(folder, name);
    await rm(path, { force: true });
    removed.push(path);
  }
  return removed;
}

/** Options of {@link replaceFileAtomically}. */
export interface ReplaceOptions {
  /**
   * Runs after the new file (at `temporary`) is written and flushed, right before it is renamed over the target: the
   * last moment to refuse (by throwing), for a caller that must check the target has not changed meanwhile.
   */
  readonly beforeRename?: (temporary: string) => Promise<void>;
  /** The mode of a file that does not exist yet (an existing file keeps its own); default as the process creates files. */
  readonly mode?: number;
}

/**
 * Replaces `path` with a file made by `fill`, all at once or not at all: `fill` writes a temporary file in the same
 * folder, which is flushed to disk and renamed over `path`, and then the folder is flushed so the rename lasts. A
 * crash leaves the old file or the new one, never a mix; on failure the temporary file is removed, and a later call
 * for the same folder removes those of processes that were killed. An existing file's mode (say 0600) is kept.
 *
 * A symbolic link is followed: its target is replaced and the link stays. Something that is not a regular file (a
 * folder, a device such as `/dev/null`, a pipe), a read-only file and a file with several names (hard links, which
 * a rename would split) are refused with `DATABASE_ERROR`, never replaced. Run as root, the new file keeps the old
 * one's owner and group.
 *
 * @example
 * ```ts
 * await replaceFileAtomically('app.db', (temporary) => writeFile(temporary, bytes));
 * ```
 */
export async function replaceFileAtomically(
  path: string,
  fill: (temporary: string) => Promise<void>,
  options: ReplaceOptions = {},
): Promise<void> {
  const target = realPathOf(path);
  const existing = await replaceableFile(path, target);
  const mode = existing?.mode ?? options.mode;
  await removeLeftoverFiles(dirname(target));
  const temporary = temporaryPathBeside(target);
  try {
    await fill(temporary);
    const file = await open(temporary, 'r+');
    try {
      if (mode !== undefined) await file.chmod(mode & 0o7777);
      // A file replaced by root (a migration run by an administrator) stays its owner's.
      if (existing !== undefined && process.getuid?.() === 0) await file.chown(existing.uid, existing.gid);
      await file.sync();
    } finally {
      await file.close();
    }
    await options.beforeRename?.(temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(dirname(target));
}

/**
 * Throws `DATABASE_ERROR` unless {@link replaceFileAtomically} may replace `path`: where it does not exist, or is a
 * regular file that is not read-only. For a caller about to do work that ends in such a write, so that it refuses
 * before the work instead of after it.
 *
 * @example
 * ```ts
 * await assertReplaceable('data/app.db');
 * ```
 */
export async function assertReplaceable(path: string): Promise<void> {
  await replaceableFile(path, realPathOf(path));
}

/**
 * The existing file at `target` (undefined when there is none), refused unless it is a regular file this process may
 * write. Write permission is read from the mode bits, which even root respects here: a file made read-only on purpose
 * is not replaced behind its owner's back.
 */
async function replaceableFile(path: string, target: string): Promise<{ mode: number; uid: number; gid: number } | undefined> {
  const found = await stat(target).catch((error: unknown) => {
    if (errorCodeOf(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (found === undefined) return undefined;
  const named = path === target ? path : `${path} (${target})`;
  if (!found.isFile()) {
    throw new StrataError('DATABASE_ERROR', `${named} is ${kindOf(found)}, not a regular file; it was not replaced`, {
      file: path,
    });
  }
  if ((found.mode & 0o222) === 0) {
    throw new StrataError(
      'DATABASE_ERROR',
      `${named} is read-only (mode ${(found.mode & 0o777).toString(8).padStart(4, '0')}); nothing was written. Make it ` +
        'writable (chmod u+w) if it should change',
      { file: path },
    );
  }
  if (found.nlink > 1) {
    throw new StrataError(
      'DATABASE_ERROR',
      `${named} has ${found.nlink} names (hard links); replacing it would leave the others on the old content, so ` +
        'nothing was written. Keep one name (and use symbolic links for the others)',
      { file: path },
    );
  }
  return { mode: found.mode, uid: found.uid, gid: found.gid };
}

/**
 * What kind of thing a path that is not a regular file is, for messages: "a folder", "a character device".
 *
 * @example
 * ```ts
 * kindOf(statSync('/dev/null')); // 'a character device'
 * ```
 */
export function kindOf(found: {
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): string {
  if (found.isDirectory()) return 'a folder';
  if (found.isCharacterDevice()) return 'a character device';
  if (found.isBlockDevice()) return 'a block device';
  if (found.isFIFO()) return 'a named pipe';
  if (found.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Writes `bytes` to `path` atomically, with the same checks; see {@link replaceFileAtomically}.
 *
 * @example
 * ```ts
 * await writeFileAtomically('data/app.db', driver.database.export());
 * ```
 */
export function writeFileAtomically(path: string, bytes: Uint8Array, options?: ReplaceOptions): Promise<void> {
  return replaceFileAtomically(
    path,
    async (temporary) => {
      const file = await open(temporary, 'wx');
      try {
        await file.writeFile(bytes);
      } finally {
        await file.close();
      }
    },
    options,
  );
}

// Makes a rename durable. Windows cannot open a folder and some file systems refuse to flush one; there the rename
// is as durable as the platform allows.
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP'].includes(errorCodeOf(error) ?? '')) throw error;
  }
}

/** The `code` of a Node system error (`ENOENT`), if it has one. */
export function errorCodeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
