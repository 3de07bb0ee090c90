import { main } from '../../src/index.js';
import type { Io } from '../../src/io.js';
import type { CliResult } from './cli.js';

/**
 * Runs `main` in-process with streams that record what they get and say they are terminals (or not, with
 * `tty: false`), for what only a terminal is shown.
 */
export async function inProcess(
  args: readonly string[],
  cwd: string,
  env: Record<string, string | undefined>,
  tty = true,
): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: { write: (text: string) => out.push(text), isTTY: tty },
    stderr: { write: (text: string) => err.push(text), isTTY: tty },
    env,
    cwd,
  };
  const code = await main(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}
