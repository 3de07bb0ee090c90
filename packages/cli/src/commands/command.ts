import type { Driver, MigrationManager } from '@strata/core';
import type { HistoryTableFound } from '../history-table.js';
import type { ProgressCounts } from '../render/progress-bar.js';
import type { Settings } from '../settings.js';
import type { View } from '../view.js';

/** An option of one command, as `parseArgs` takes it plus what help prints. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The placeholder help shows after a string option: `--to <V>`. */
  readonly value?: string;
  readonly description: string;
  /** A string option the command cannot run without: leaving it out is a usage error. */
  readonly required?: boolean;
  /** A string option the command cannot run without unless the option of this name is given (`--out`, unless `--check`). */
  readonly requiredUnless?: string;
  /** What the value must look like; another value is a usage error. `version`: digits, as a folder name starts. */
  readonly format?: 'version';
  /** The values a string option may take; another is a usage error naming them. */
  readonly choices?: readonly string[];
  /** A string option that may be given more than once (`--rename a=b --rename c=d`): its value is the list. */
  readonly multiple?: boolean;
}

/** A positional argument of one command. */
export interface ArgSpec {
  readonly name: string;
  readonly required: boolean;
  /** `version`: the argument must be a migration version's digits, or the command line is a usage error. */
  readonly format?: 'version';
}

/** How a command wants the database: `write` may create the file, `read` never does. */
export interface OpenOptions {
  readonly write: boolean;
  /** False for a command that needs no migrations (a backup), so it works without a migrations folder. */
  readonly migrations?: boolean;
  /**
   * For a command that needs the database file to exist already: what to say after "database F does not exist"
   * (`, so there is nothing to back up`). It is then a `DATABASE_ERROR` naming the file, before anything is opened.
   */
  readonly existing?: string;
}

/** The open database: its migrations, and the connection for work beside them (a backup). */
export interface OpenDatabase {
  readonly manager: MigrationManager;
  readonly driver: Driver;
  /** Whether the database file existed before the command; a read-only command then sees an empty database. */
  readonly existed: boolean;
  /** What the database holds under the history table's name, and its other history tables when it has none. */
  readonly history: HistoryTableFound;
}

/** What a command receives: its own options and arguments, the settings, and a way to the database. */
export interface CommandInput {
  /** The database, migrations folder, driver and backup settings: the command line over the config file. */
  readonly settings: Settings;
  /** The command's options by name; global options are handled before the command runs. */
  /** A `multiple` option's values come as a list, in the order given. */
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  /** Positional arguments after the command name, `rollback:002` counting as `rollback 002`. */
  readonly args: readonly string[];
  /** Loads the migrations and opens the database; the CLI closes it after the command, however it ends. */
  readonly open: (options: OpenOptions) => Promise<OpenDatabase>;
}

/**
 * What a command produced. `data` is what `--json` prints; `render` writes the same data as text. A command never
 * writes output itself, so both forms come from one result.
 */
export interface Outcome {
  readonly data: unknown;
  readonly render: (view: View) => void;
  /** 0 unless the result itself is a failure (for example `status` with problems). */
  readonly exitCode: number;
}

/**
 * One CLI command. Adding a command is writing one file that exports a `Command` and listing it in
 * `commands/index.ts`; parsing, help, `--json`, errors and closing the database come from `main`.
 *
 * @example
 * ```ts
 * export const hello: Command = {
 *   name: 'hello', summary: 'say hello', usage: ['hello'], description: 'Says hello.', options: {}, args: [],
 *   run: async () => ({ data: { hello: true }, render: (view) => view.out('hello'), exitCode: 0 }),
 * };
 * ```
 */
export interface Command {
  readonly name: string;
  /** One line for the command list of `strata --help`. */
  readonly summary: string;
  /** Usage lines without the leading program name, e.g. `rollback V [--cascade]`. */
  readonly usage: readonly string[];
  /** A paragraph or two for `strata help <command>`. */
  readonly description: string;
  /** Options of this command only. Option names mean the same thing in every command that has them. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly args: readonly ArgSpec[];
  /** Extra help text, such as what the exit code means. */
  readonly notes?: string;
  run(input: CommandInput): Promise<Outcome>;
  /**
   * The command over many databases (`--db` a glob, `@FILE`, or given several times): `migrate`, `status` and
   * `validate` have one. `manyOptions` are the command's options that only make sense there (`--concurrency`); any
   * of them asks for a run over many, even of one database.
   */
  readonly many?: {
    readonly options: readonly string[];
    run(input: ManyInput): Promise<Outcome>;
  };
}

/** What a command receives to run over many databases. */
export interface ManyInput {
  readonly settings: Settings;
  readonly values: CommandInput['values'];
  /** The database files, absolute, each once; empty when no `--db` was given on the command line. */
  readonly targets: readonly string[];
  /** Told as each database finishes; draws the progress line on a terminal. */
  readonly onProgress: (counts: ProgressCounts) => void;
}
