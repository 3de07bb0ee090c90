import { dirname, isAbsolute, resolve } from 'node:path';

/** Somewhere text goes: `process.stdout`, `process.stderr`, or a buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
  /** True when a terminal reads this stream; colour and progress are only drawn then. */
  readonly isTTY?: boolean;
}

/**
 * Everything the CLI touches of its process, so tests can run {@link main} in-process with fake streams.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const io: Io = { stdout: { write: (t) => out.push(t) }, stderr: process.stderr, env: {}, cwd: '/tmp/app' };
 * const exitCode = await main(['status', '--json'], io);
 * ```
 */
export interface Io {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative `--db` and `--dir` paths are resolved against it. */
  readonly cwd: string;
}

/** The real process: its streams, environment, and the folder the user typed the command in. */
export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: userFolder(process.env, process.cwd()) };
}

/**
 * The folder the user typed the command in. A package script (`pnpm migrate status` in a subfolder) runs in the
 * package's folder, with `INIT_CWD` naming the user's; that is used only when the process runs in the folder of the
 * script's package (`npm_package_json`), so a program started from such a script, elsewhere, keeps its own folder.
 *
 * @example
 * ```ts
 * userFolder({ INIT_CWD: '/app/src', npm_package_json: '/app/package.json' }, '/app'); // '/app/src'
 * userFolder({ INIT_CWD: '/app/src', npm_package_json: '/app/package.json' }, '/tmp'); // '/tmp'
 * ```
 */
export function userFolder(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const { INIT_CWD: initCwd, npm_package_json: packageJson } = env;
  if (initCwd === undefined || packageJson === undefined || !isAbsolute(initCwd)) return cwd;
  return resolve(dirname(packageJson)) === resolve(cwd) ? initCwd : cwd;
}
