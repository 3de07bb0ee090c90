/**
 * A command line the CLI cannot act on: unknown command or option, missing value, bad `--driver`, a `--db` that cannot
 * be a database file. It exits 2 and is printed as one line with a pointer to `--help`, never as a Strata error; one
 * found once the command line is read (`--db`) is printed with `--json` as `{ "error": { "code": "USAGE_ERROR", … } }`.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command the mistake belongs to, so the hint can point at its own help. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}
