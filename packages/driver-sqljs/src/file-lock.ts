import { rmSync } from 'node:fs';
import { mkdir, rm, stat, utimes } from 'node:fs/promises';
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

// A lock is never refreshed more often than once a second, nor treated as stale younger than 2 s: file systems keep
// modification times only so precisely, and a busy process refreshes late.
const MIN_STALE_MS = 2000;
const MIN_REFRESH_MS = 1000;
const FIRST_RETRY_MS = 20;
const MAX_RETRY_MS = 250;

/**
 * Takes the cross-process lock of the file at `path`: a folder `<path>.lock`, made by `mkdir`, which is atomic on every
 * local file system, and kept fresh by touching it every fifth of `staleMs` (at most once a second). A holder that
 * died leaves the folder behind; it is taken over once its last touch is `staleMs` old. A process that exits, or is
 * ended by SIGINT, SIGTERM or SIGHUP, removes the locks it holds first. The file itself need not exist.
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
  const lockPath = `${path}.lock`;
  const staleMs = Math.max(options.staleMs, MIN_STALE_MS);
  const deadline = Date.now() + options.timeoutMs;
  let delay = FIRST_RETRY_MS;
  while (!(await take(path, lockPath, staleMs))) {
    const left = deadline - Date.now();
    if (left <= 0) throw lockTimeout(path, lockPath, options.timeoutMs, staleMs);
    // Jitter keeps processes that started together from polling in step.
    await sleep(Math.min(left, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 1.5, MAX_RETRY_MS);
  }
  hold(lockPath);

  // The modification time this process last gave the folder: another process that takes the lock over gives it
  // another one (or removes the folder).
  let ours: number | undefined;
  let lost: StrataError | undefined;
  let released = false;
  let refresher: ReturnType<typeof setInterval> | undefined;
  const loseLock = (cause: unknown) => {
    lost ??= new StrataError(
      'DATABASE_ERROR',
      `the lock on ${path} (${lockPath}) was lost while this process held it: another process took it over after ` +
        `${staleMs} ms without a refresh, or removed it; nothing more was saved. Run again`,
      { cause },
    );
  };
  const letGo = () => {
    released = true;
    clearInterval(refresher);
    unhold(lockPath);
  };
  const isOurs = async (): Promise<boolean> => {
    const now = await mtimeOf(lockPath);
    return now !== undefined && now === ours;
  };
  const refresh = async () => {
    if (released || lost !== undefined) return;
    try {
      if (!(await isOurs())) loseLock(new Error(`${lockPath} is not the lock this process took`));
      else ours = await touch(lockPath);
    } catch (error) {
      loseLock(error);
    }
  };
  try {
    ours = await touch(lockPath);
  } catch (error) {
    letGo();
    await rm(lockPath, { recursive: true, force: true });
    throw new StrataError('DATABASE_ERROR', `could not lock ${path} (${lockPath}): ${String(error)}`, { cause: error });
  }
  // Started once the folder has a time of ours to compare with; it keeps no process alive.
  refresher = setInterval(() => void refresh(), Math.max(MIN_REFRESH_MS, staleMs / 5));
  refresher.unref();

  return {
    async verify() {
      if (lost === undefined && !(await isOurs())) loseLock(new Error(`${lockPath} is not the lock this process took`));
      if (lost !== undefined) throw lost;
    },
    async release() {
      if (released) return;
      letGo();
      // A lock that was lost belongs to the process that took it over now: its folder stays.
      if (lost === undefined && (await isOurs())) await rm(lockPath, { recursive: true, force: true });
    },
  };
}

/**
 * Makes the lock folder, or takes over one left stale; false while another process holds it. Taking over removes the
 * stale folder and makes it again, so two processes that both found it stale cannot both succeed at the mkdir; the
 * rare one that removes a folder just made by the other is caught by {@link FileLock.verify} before either saves.
 */
async function take(path: string, lockPath: string, staleMs: number): Promise<boolean> {
  if (await made(path, lockPath)) return true;
  const touched = await mtimeOf(lockPath);
  // Gone meanwhile: its holder let go; the next attempt may take it.
  if (touched === undefined) return made(path, lockPath);
  if (Date.now() - touched < staleMs) return false;
  await rm(lockPath, { recursive: true, force: true });
  return made(path, lockPath);
}

async function made(path: string, lockPath: string): Promise<boolean> {
  try {
    await mkdir(lockPath);
    return true;
  } catch (error) {
    if (errorCodeOf(error) === 'EEXIST') return false;
    throw new StrataError('DATABASE_ERROR', `could not lock ${path} (${lockPath}): ${String(error)}`, { cause: error });
  }
}

/** Sets the folder's modification time to now; returns it as the file system keeps it. */
async function touch(lockPath: string): Promise<number> {
  const now = new Date();
  await utimes(lockPath, now, now);
  return (await stat(lockPath)).mtimeMs;
}

async function mtimeOf(lockPath: string): Promise<number | undefined> {
  try {
    return (await stat(lockPath)).mtimeMs;
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** The lock folders this process holds, removed when it exits while it holds them. */
const holding = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function hold(lockPath: string): void {
  if (holding.size === 0) {
    process.on('exit', removeHeldLocks);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  holding.add(lockPath);
}

function unhold(lockPath: string): void {
  if (!holding.delete(lockPath) || holding.size > 0) return;
  process.removeListener('exit', removeHeldLocks);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

function removeHeldLocks(): void {
  for (const lockPath of holding) {
    try {
      rmSync(lockPath, { recursive: true, force: true });
    } catch {
      // Exiting anyway: the lock goes stale and is taken over.
    }
  }
  holding.clear();
}

/**
 * Removes the locks and ends the process as the signal would have without this listener. When the application
 * listens for the signal too, ending is its call: the locks are released by their holders, or at exit.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  removeHeldLocks();
  process.removeListener('exit', removeHeldLocks);
  for (const name of SIGNALS) process.removeListener(name, onSignal);
  process.kill(process.pid, signal);
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
