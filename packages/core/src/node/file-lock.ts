import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError } from '../errors.js';
import { errorCodeOf } from './atomic-file.js';
import { describeProcess, isRunning, isVisible, type ProcessIdentity, thisProcess } from './processes.js';
import { realPathOf } from './real-path.js';

/**
 * How {@link acquireFileLock} waits for a lock and decides that one was left behind.
 *
 * @example
 * ```ts
 * const options: FileLockOptions = { timeoutMs: 30_000, staleMs: 10_000, onWait: (notice) => console.error(notice) };
 * ```
 */
export interface FileLockOptions {
  /** How long to wait for another holder before failing with `LOCK_TIMEOUT`. */
  readonly timeoutMs: number;
  /**
   * How long a lock held from another host may go without a refresh before it counts as left by a dead process. A
   * holder on this host keeps its lock for as long as its process runs, and loses it at once when that ends.
   */
  readonly staleMs: number;
  /** Told once, after a second of waiting, what the wait is for ("the lock on … held by pid 4242 (…)"). */
  readonly onWait?: (notice: string) => void;
}

/**
 * A lock held on a file, by this process, until released.
 *
 * @example
 * ```ts
 * const lock: FileLock = await acquireFileLock('data/app.db', { timeoutMs: 30_000, staleMs: 10_000 });
 * ```
 */
export interface FileLock {
  /** Throws unless the lock is still ours; call it right before writing what the lock protects. */
  verify(): Promise<void>;
  /**
   * Refreshes the lock now if it is due, synchronously: for work that keeps the event loop busy (sql.js computes
   * without yielding), between two of its steps. Cheap when it is not due.
   */
  keepAlive(): void;
  /** Releases the lock. Safe to call twice, and after the lock was lost. */
  release(): Promise<void>;
}

/** The file in a lock folder that says who holds it. */
const OWNER = 'owner.json';
// A lock is never refreshed more often than once a second, nor treated as stale younger than 2 s: file systems keep
// modification times only so precisely, and a busy process refreshes late.
const MIN_STALE_MS = 2000;
const MIN_REFRESH_MS = 1000;
const FIRST_RETRY_MS = 20;
const MAX_RETRY_MS = 250;
/** How long a wait goes on before the caller is told what it waits for. */
export const WAIT_NOTICE_MS = 1000;

interface Owner extends ProcessIdentity {
  /** Tells this holding apart from an earlier one of the same process. */
  readonly token: string;
  readonly since: string;
}

/**
 * Takes the cross-process lock of the file at `path`, which every Strata process writing that database takes,
 * whatever its driver: a folder `<path>.lock` (`path` with symbolic links resolved, so every name of a file shares one
 * lock), made by `mkdir`, which is atomic on every local file system, holding `owner.json` (process id, host, start
 * time, command). A lock whose holder runs on this host is never taken over while that process runs, however long it
 * computes, and is taken over at once when it has ended (killed, say). A holder on another host keeps it fresh by
 * touching the folder every fifth of `staleMs`; its lock is taken over once its last touch is `staleMs` old. A process
 * that exits, or is ended by SIGINT, SIGTERM or SIGHUP, removes the locks it holds first. The file need not exist.
 *
 * @example
 * ```ts
 * const held = await acquireFileLock('data/app.db', { timeoutMs: 30_000, staleMs: 10_000 });
 * try { await held.verify(); await save(); } finally { await held.release(); }
 * ```
 */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<FileLock> {
  const lockPath = `${realPathOf(path)}.lock`;
  const staleMs = Math.max(options.staleMs, MIN_STALE_MS);
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const owner: Owner = { ...thisProcess(), token: randomBytes(8).toString('hex'), since: new Date().toISOString() };
  let delay = FIRST_RETRY_MS;
  let told = options.onWait === undefined;
  for (;;) {
    const holder = take(path, lockPath, staleMs, owner);
    if (holder === undefined) break;
    const left = deadline - Date.now();
    if (left <= 0) throw lockTimeout(path, lockPath, options.timeoutMs, staleMs, holder);
    if (!told && Date.now() - started >= WAIT_NOTICE_MS) {
      told = true;
      options.onWait?.(`waiting for the lock on ${path}, held by ${holder}`);
    }
    // Jitter keeps processes that started together from polling in step.
    await sleep(Math.min(left, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 1.5, MAX_RETRY_MS);
  }
  hold(lockPath);

  let lost: StrataError | undefined;
  let released = false;
  let touched = Date.now();
  const refreshMs = Math.max(MIN_REFRESH_MS, staleMs / 5);
  const loseLock = (cause: unknown) => {
    lost ??= new StrataError(
      'DATABASE_ERROR',
      `the lock on ${path} (${lockPath}) was lost while this process held it: another process took it over or ` +
        'removed it; nothing more was saved. Run again',
      { cause },
    );
  };
  const isOurs = () => readOwner(lockPath)?.token === owner.token;
  const refresh = () => {
    if (released || lost !== undefined) return;
    try {
      if (!isOurs()) loseLock(new Error(`${lockPath} is not the lock this process took`));
      else touch(lockPath);
      touched = Date.now();
    } catch (error) {
      loseLock(error);
    }
  };
  // It keeps no process alive.
  const refresher = setInterval(refresh, refreshMs);
  refresher.unref();

  return {
    async verify() {
      if (lost === undefined && !isOurs()) loseLock(new Error(`${lockPath} is not the lock this process took`));
      if (lost !== undefined) throw lost;
    },
    keepAlive() {
      if (released || Date.now() - touched < refreshMs) return;
      touched = Date.now();
      try {
        const now = new Date();
        utimesSync(lockPath, now, now);
      } catch {
        // The timer's refresh, or verify(), finds out what went wrong.
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(refresher);
      unhold(lockPath);
      // A lock that was lost belongs to the process that took it over now: its folder stays.
      if (lost === undefined && isOurs()) rmSync(lockPath, { recursive: true, force: true });
    },
  };
}

/**
 * Makes the lock folder with its owner, or takes over one whose holder is gone; otherwise says who holds it. A holder
 * this process can see (same host, same process-id space) is gone when its process has ended; one it cannot see,
 * when the folder has gone `staleMs` without a refresh; a folder without an owner (its maker was killed between the
 * two steps of taking it, which take microseconds), after {@link MIN_STALE_MS}. Taking over happens under a second
 * folder, `<lock>.takeover`, made the same way, and only if the owner is still the one found gone: two processes
 * that both found it gone cannot both take it, and neither removes a lock the other just took.
 */
function take(path: string, lockPath: string, staleMs: number, owner: Owner): string | undefined {
  if (made(path, lockPath, owner)) return undefined;
  const holder = readOwner(lockPath);
  const touched = mtimeOf(lockPath);
  // Gone meanwhile: its holder let go; the next attempt may take it.
  if (touched === undefined) return made(path, lockPath, owner) ? undefined : 'another process';
  if (!isAbandoned(holder, touched, staleMs)) {
    return holder === undefined ? `another process (${lockPath})` : `${describeProcess(holder)} since ${holder.since}`;
  }
  const takeover = `${lockPath}.takeover`;
  if (!made(path, takeover)) {
    // A taker killed in the middle left it: it is never held longer than a few file operations.
    const left = mtimeOf(takeover);
    if (left !== undefined && Date.now() - left >= MIN_STALE_MS) rmSync(takeover, { recursive: true, force: true });
    return 'another process taking the lock over';
  }
  try {
    const now = readOwner(lockPath);
    if (now?.token !== holder?.token || !isAbandoned(now, mtimeOf(lockPath), staleMs)) return 'another process';
    rmSync(lockPath, { recursive: true, force: true });
    return made(path, lockPath, owner) ? undefined : 'another process';
  } finally {
    rmSync(takeover, { recursive: true, force: true });
  }
}

function isAbandoned(holder: Owner | undefined, touched: number | undefined, staleMs: number): boolean {
  if (touched === undefined) return false;
  if (holder === undefined) return Date.now() - touched >= MIN_STALE_MS;
  return isVisible(holder) ? !isRunning(holder) : Date.now() - touched >= staleMs;
}

// The lock's file operations are synchronous: each takes microseconds, less than a round trip through the thread
// pool that the asynchronous ones take, and a run takes and checks its lock several times.
function made(path: string, lockPath: string, owner?: Owner): boolean {
  try {
    mkdirSync(lockPath);
  } catch (error) {
    if (errorCodeOf(error) === 'EEXIST') return false;
    throw new StrataError('DATABASE_ERROR', `could not lock ${path} (${lockPath}): ${String(error)}`, { cause: error });
  }
  if (owner === undefined) return true;
  try {
    writeFileSync(join(lockPath, OWNER), JSON.stringify(owner));
    return true;
  } catch (error) {
    // Removed by a process that found it abandoned just before the owner was written: try again.
    if (errorCodeOf(error) === 'ENOENT') return false;
    rmSync(lockPath, { recursive: true, force: true });
    throw new StrataError('DATABASE_ERROR', `could not lock ${path} (${lockPath}): ${String(error)}`, { cause: error });
  }
}

/** Who holds the lock folder; undefined while its holder has not written it yet, or when it is not ours to read. */
function readOwner(lockPath: string): Owner | undefined {
  try {
    return parseOwner(readFileSync(join(lockPath, OWNER), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Who holds the Strata lock of `path` now, as "pid 4242 (node migrate.js migrate) since …"; undefined when nobody does.
 *
 * @example
 * ```ts
 * const holder = lockHolderOf('data/app.db');
 * if (holder !== undefined) console.error(`data/app.db is being migrated by ${holder}`);
 * ```
 */
export function lockHolderOf(path: string): string | undefined {
  try {
    const owner = parseOwner(readFileSync(join(`${realPathOf(path)}.lock`, OWNER), 'utf8'));
    return owner === undefined ? undefined : `${describeProcess(owner)} since ${owner.since}`;
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): Owner | undefined {
  const value = JSON.parse(text) as Partial<Owner> | null;
  if (typeof value?.pid !== 'number' || typeof value.host !== 'string' || typeof value.token !== 'string') return undefined;
  return value as Owner;
}

function touch(lockPath: string): void {
  const now = new Date();
  utimesSync(lockPath, now, now);
}

function mtimeOf(lockPath: string): number | undefined {
  try {
    return statSync(lockPath).mtimeMs;
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** The lock folders this process holds, removed when it exits while it holds them. */
const holding = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let listening = false;
// The removal of the listeners once no lock is held, waiting for the event loop to turn; see unhold().
let stopping: NodeJS.Immediate | undefined;

function hold(lockPath: string): void {
  if (stopping !== undefined) clearImmediate(stopping);
  stopping = undefined;
  if (!listening) {
    listening = true;
    process.on('exit', removeHeldLocks);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  holding.add(lockPath);
}

function unhold(lockPath: string): void {
  if (!holding.delete(lockPath) || holding.size > 0 || !listening) return;
  // Not at once: Node listens for a signal through a native handle, and closes the one it drops only when the event
  // loop next turns. Work that locks file after file without the loop turning in between (a run over many databases,
  // whose SQLite calls are synchronous) would pile up three handles per file until it ends; the listeners stay for
  // as long as the loop does not turn, and the next lock reuses them.
  stopping ??= setImmediate(stopListening).unref();
}

function stopListening(): void {
  if (stopping !== undefined) clearImmediate(stopping);
  stopping = undefined;
  if (!listening || holding.size > 0) return;
  listening = false;
  process.removeListener('exit', removeHeldLocks);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

function removeHeldLocks(): void {
  for (const lockPath of holding) {
    try {
      rmSync(lockPath, { recursive: true, force: true });
    } catch {
      // Exiting anyway: the next process sees this one is gone and takes the lock over.
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
  stopListening();
  process.kill(process.pid, signal);
}

function lockTimeout(path: string, lockPath: string, waitedMs: number, staleMs: number, holder: string): StrataError {
  return new StrataError(
    'LOCK_TIMEOUT',
    `waited ${waitedMs} ms for the lock on ${path}, held by ${holder} while it migrates or saves the database ` +
      `(${lockPath}); raise the busy timeout (busyTimeoutMs, --busy-timeout) to wait longer. A lock whose process ` +
      `has ended is taken over at once on the same host, and after ${staleMs} ms without a refresh from another host or container`,
    { file: path },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
