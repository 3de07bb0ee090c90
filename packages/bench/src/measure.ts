import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { Invocation } from './contender.js';

/** One measured process: wall time from start to exit, and its peak resident memory when it can be read. */
export interface Sample {
  readonly ms: number;
  /** Peak resident set size in MiB; undefined when GNU time is not installed. */
  readonly mib: number | undefined;
}

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = existsSync(GNU_TIME);

/** Whether peak memory can be measured here (it needs GNU time, Debian's `time` package). */
export function measuresMemory(): boolean {
  return hasGnuTime;
}

/**
 * Runs `invocation` to completion and measures it. Output is discarded (a tool that prints a line per migration
 * pays for writing it, as it would in a terminal redirected to a file); a failure throws with the tail of stderr.
 * GNU time, when present, wraps every contender alike and reports the child's peak RSS from the kernel's accounting.
 */
export async function measure(invocation: Invocation, memoryFile: string, timeoutMs: number): Promise<Sample> {
  const [file, args] = hasGnuTime
    ? [GNU_TIME, ['-f', '%M', '-o', memoryFile, invocation.file, ...invocation.args]]
    : [invocation.file, [...invocation.args]];
  rmSync(memoryFile, { force: true });
  const { ms } = await timed(file, args, invocation.env ?? {}, timeoutMs, (why, stderr) => {
    throw new Error(`${invocation.file} ${invocation.args.join(' ')} ${why}\n${stderr.trim()}`);
  });
  return { ms, mib: hasGnuTime ? peakMib(memoryFile) : undefined };
}

/**
 * Runs `file` with `args` to completion, output discarded but for the tail of stderr, killed after `timeoutMs`, and
 * returns its wall time; on a failure, calls `fail` with why (`exited with 1`, `timed out after …`) and that tail.
 *
 * @example
 * ```ts
 * const { ms } = await timed(process.execPath, ['run.js'], {}, 60_000, (why) => { throw new Error(why); });
 * ```
 */
export async function timed(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
  fail: (why: string, stderr: string) => never,
): Promise<{ readonly ms: number }> {
  const started = process.hrtime.bigint();
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  }).finally(() => clearTimeout(timer));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (code !== 0) fail(ms >= timeoutMs ? `timed out after ${timeoutMs} ms` : `exited with ${code}`, stderr);
  return { ms };
}

function peakMib(memoryFile: string): number | undefined {
  // GNU time appends its line after anything the child wrote to the same file; the last number is the peak in KiB.
  const kib = Number(readFileSync(memoryFile, 'utf8').trim().split('\n').at(-1));
  return Number.isFinite(kib) ? kib / 1024 : undefined;
}
