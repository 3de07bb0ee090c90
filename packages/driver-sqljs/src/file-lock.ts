import * as fs from 'node:fs';
import { stat } from 'node:fs/promises';
import { StrataError } from '@strata/core';
import { errorCodeOf } from '@strata/core/node';

/** How {@link acquireFileLock} waits for a lock and decides that one was left behind. */
export interface FileLockOptions {
  /** How long to wait for another holder before failing with `LOCK_TIMEOUT`. */
  readonly timeoutMs: number;
  /** How old a lock must be, without its holder refreshing it, before it counts as left by a dead process. */
  readonly staleMs: number;
}

/** A lock held on a file, by this process, until released. */
export interface FileLock {
  /** Throws unless the lock is still ours; call it right before writing what the lock protects. */
  verify(): Promise<void>;
  /** Releases the lock. Safe to call twice, and after the lock was lost. */
  release(): Promise<void>;
}

// proper-lockfile never refreshes a lock more often than this, nor treats one younger than 2 s as stale.
const MIN_STALE_MS = 2000;
const FIRST_RETRY_MS = 20;
const MAX_RETRY_MS = 250;

/**
 * Takes the cross-process lock of the file at `path`: a folder `<path>.lock`, made by `mkdir`, which is atomic on every
 * local file system, and kept fresh by touching it every fifth of `staleMs` (at most once a second). A holder that died leaves the folder
 * behind; it is taken over once its last touch is `staleMs` old. The file itself need not exist.
 *
 * The touches are timers, so they stop while this process is busy. sql.js runs a migration without giving the event
 * loop a turn, so a run that computes for longer than `staleMs` may find its lock taken over; {@link FileLock.verify}
 * then fails, and the caller must not write.
 *
 * @example
 * ```ts
 * const held = await acquireFileLock('data/app.db', { timeoutMs: 30_000, staleMs: 10_000 });
 * try { await held.verify(); await save(); } finally { await held.release(); }
 * ```
 */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<FileLock> {
  // Loaded here rather than with the module: it installs exit and signal handlers, which only a lock needs.
  const { lock } = await import('proper-lockfile');
  const lockPath = `${path}.lock`;
  const staleMs = Math.max(options.staleMs, MIN_STALE_MS);
  // The modification times this process gave the lock folder. proper-lockfile keeps its own copy private, and another
  // process that takes the lock over gives the folder a time of its own.
  const ours = new Set<number>();
  let lost: StrataError | undefined;
  const loseLock = (cause: unknown) => {
    lost ??= new StrataError(
      'DATABASE_ERROR',
      `the lock on ${path} (${lockPath}) was lost while this process held it: another process took it over after ` +
        `${staleMs} ms without a refresh, or removed it; nothing more was saved. Run again`,
      { cause },
    );
  };
  const remember = (mtime: number) => {
    ours.add(mtime);
    // A few are enough: a refresh that is still under way, and the one before it.
    for (const old of ours) if (ours.size > 4) ours.delete(old);
  };
  // What proper-lockfile does to the lock folder goes through here: to learn the times it gives the folder, and so
  // that letting go of a lost lock does not remove the folder of the process that holds it now.
  const trackingFs = {
    ...fs,
    utimes(file: string, atime: Date, mtime: Date, callback: (error: NodeJS.ErrnoException | null) => void) {
      if (file === lockPath) remember(mtime.getTime());
      fs.utimes(file, atime, mtime, callback);
    },
    rmdir(file: string, callback: (error: NodeJS.ErrnoException | null) => void) {
      if (file === lockPath && lost !== undefined) callback(null);
      else fs.rmdir(file, callback);
    },
    rmdirSync(file: string) {
      if (file !== lockPath || lost === undefined) fs.rmdirSync(file);
    },
  };
  const attempt = async (): Promise<(() => Promise<void>) | undefined> => {
    try {
      return await lock(path, {
        realpath: false,
        lockfilePath: lockPath,
        stale: staleMs,
        update: Math.max(1000, staleMs / 5),
        fs: trackingFs,
        onCompromised: loseLock,
      });
    } catch (error) {
      if (errorCodeOf(error) === 'ELOCKED') return undefined;
      throw new StrataError('DATABASE_ERROR', `could not lock ${path} (${lockPath}): ${String(error)}`, { cause: error });
    }
  };

  const deadline = Date.now() + options.timeoutMs;
  let delay = FIRST_RETRY_MS;
  let release = await attempt();
  while (release === undefined) {
    const left = deadline - Date.now();
    if (left <= 0) throw lockTimeout(path, lockPath, options.timeoutMs, staleMs);
    // Jitter keeps processes that started together from polling in step.
    await sleep(Math.min(left, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 1.5, MAX_RETRY_MS);
    release = await attempt();
  }
  const unlock = release;
  try {
    // The time the folder has now is ours: proper-lockfile set it while taking the lock.
    remember((await stat(lockPath)).mtime.getTime());
  } catch (error) {
    await unlock();
    throw error;
  }

  let released = false;
  return {
    async verify() {
      if (lost === undefined) {
        const now = await stat(lockPath).then(
          (stats) => stats.mtime.getTime(),
          (error: unknown) => {
            if (errorCodeOf(error) === 'ENOENT') return undefined;
            throw error;
          },
        );
        if (now === undefined || !ours.has(now)) loseLock(new Error(`${lockPath} is not the lock this process took`));
      }
      if (lost !== undefined) throw lost;
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await unlock();
      } catch (error) {
        // A lock that was lost is already gone from proper-lockfile's books; there is nothing left to release.
        if (lost === undefined && !['ERELEASED', 'ENOTACQUIRED'].includes(errorCodeOf(error) ?? '')) throw error;
      }
    },
  };
}

function lockTimeout(path: string, lockPath: string, waitedMs: number, staleMs: number): StrataError {
  return new StrataError(
    'LOCK_TIMEOUT',
    `waited ${waitedMs} ms for the lock on ${path}, which another process holds (${lockPath}) while it migrates or ` +
      `saves the database; raise busyTimeoutMs to wait longer. A lock left by a process that died is taken over once ` +
      `it is ${staleMs} ms old`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
