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

/** The real process: its streams, environment and working directory. */
export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
