import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { errorCodeOf } from './atomic-file.js';

/**
 * A process as another process can recognise it later: its id, the host it runs on and, where the system tells
 * (Linux), when it started, so that an id the system gave to a new process is not mistaken for the old one.
 *
 * @example
 * ```ts
 * const me: ProcessIdentity = thisProcess();
 * ```
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly host: string;
  /**
   * Which process-id space the id belongs to, where the system tells (Linux: the pid namespace and the boot): two
   * containers of one host may share a host name but not their process ids.
   */
  readonly space?: string;
  /** The start time as the system counts it (clock ticks since boot on Linux); absent where it cannot be read. */
  readonly start?: string;
  /** The command line, shortened, for messages that name the process. */
  readonly command?: string;
}

const COMMAND_WIDTH = 100;
let self: ProcessIdentity | undefined;

/**
 * This process.
 *
 * @example
 * ```ts
 * writeFileSync(ownerFile, JSON.stringify(thisProcess()));
 * ```
 */
export function thisProcess(): ProcessIdentity {
  self ??= {
    pid: process.pid,
    host: hostname(),
    ...optional('space', spaceOfThisProcess()),
    ...optional('start', startOf(process.pid)),
    command: shorten([process.argv0, ...process.argv.slice(1)].join(' ')),
  };
  return self;
}

/**
 * Whether the process `identity` names still runs. Only a process on this host can be asked; one on another host
 * counts as running. A process this one may not signal (`EPERM`) runs.
 *
 * @example
 * ```ts
 * if (!isRunning(owner)) takeOver();
 * ```
 */
export function isRunning(identity: ProcessIdentity): boolean {
  if (!isVisible(identity)) return true;
  try {
    process.kill(identity.pid, 0);
  } catch (error) {
    if (errorCodeOf(error) === 'ESRCH') return false;
  }
  const stat = readProc(`/proc/${identity.pid}/stat`);
  // A process killed but not yet reaped by its parent (a zombie) has ended all the same.
  if (stat !== undefined && fieldsOf(stat)[0] === 'Z') return false;
  // The same id with another start time is a new process that got the old one's id.
  const start = identity.start === undefined || stat === undefined ? undefined : fieldsOf(stat)[19];
  return start === undefined || start === identity.start;
}

/**
 * Whether this process can see the process `identity` names, to ask whether it runs: it is on this host, in the
 * same process-id space.
 *
 * @example
 * ```ts
 * if (!isVisible(owner)) judgeByAge();
 * ```
 */
export function isVisible(identity: ProcessIdentity): boolean {
  const self = thisProcess();
  return identity.host === self.host && identity.space === self.space;
}

/**
 * "pid 4242 (node migrate.js migrate)", and the host when it is not this one.
 *
 * @example
 * ```ts
 * describeProcess({ pid: 4242, host: 'db1', command: 'node app.js' }); // 'pid 4242 (node app.js) on db1'
 * ```
 */
export function describeProcess(identity: ProcessIdentity): string {
  const command = identity.command ?? commandOf(identity.pid);
  const on = identity.host === thisProcess().host ? '' : ` on ${identity.host}`;
  return `pid ${identity.pid}${command === undefined || command === '' ? '' : ` (${command})`}${on}`;
}

/**
 * The command line of a process of this host, shortened; undefined where the system does not tell (Linux `/proc`).
 *
 * @example
 * ```ts
 * commandOf(1); // '/sbin/init'
 * ```
 */
export function commandOf(pid: number): string | undefined {
  const text = readProc(`/proc/${pid}/cmdline`);
  return text === undefined ? undefined : shorten(text.split('\0').filter(Boolean).join(' '));
}

// Field 22 of /proc/<pid>/stat.
function startOf(pid: number): string | undefined {
  const text = readProc(`/proc/${pid}/stat`);
  return text === undefined ? undefined : fieldsOf(text)[19];
}

// The fields of /proc/<pid>/stat from the third (the state) on; the command name before them may hold spaces and
// parentheses, so they are counted from the last ')'.
function fieldsOf(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function spaceOfThisProcess(): string | undefined {
  let namespace: string;
  try {
    namespace = readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
  return `${namespace} ${readProc('/proc/sys/kernel/random/boot_id')?.trim() ?? ''}`;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // Not Linux, or the process is gone: nothing to tell.
    return undefined;
  }
}

function shorten(text: string): string {
  return text.length > COMMAND_WIDTH ? `${text.slice(0, COMMAND_WIDTH - 1)}…` : text;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
