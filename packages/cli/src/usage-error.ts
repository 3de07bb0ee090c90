/**
 * A command line the CLI cannot act on: unknown command or option, missing value, bad `--driver`. It exits 2 and
 * is printed as one line with a pointer to `--help`, never as a Strata error.
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
