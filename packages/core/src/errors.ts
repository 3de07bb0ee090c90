/**
 * Every error Strata raises is a {@link StrataError}; its `code` says what went wrong and stays stable across
 * releases, so callers branch on `code`, never on the message.
 */
export type ErrorCode =
  /** A folder or file in the migrations set is malformed (bad name, missing or empty up.sql, stray file). */
  | 'INVALID_MIGRATION'
  /** meta.yaml is not valid YAML, has an unknown key, or a value of the wrong type. */
  | 'INVALID_META'
  /** Two migrations share a version number. */
  | 'DUPLICATE_VERSION'
  /** A migration depends on a version that does not exist. */
  | 'MISSING_DEPENDENCY'
  /** The dependency graph has a cycle. */
  | 'DEPENDENCY_CYCLE'
  /** An applied migration's up.sql no longer matches the checksum recorded when it ran. */
  | 'CHECKSUM_MISMATCH'
  /** The database records a migration that the migrations set does not contain. */
  | 'APPLIED_MISSING'
  /**
   * The history table holds more than one row for a version (`001` twice, or `001` and `0001`), as a table made by
   * another tool without a PRIMARY KEY allows; `repair` keeps the oldest row.
   */
  | 'DUPLICATE_HISTORY'
  /**
   * The database's schema is not the one its applied migrations build, replayed on an empty database: a table,
   * column, index, view or trigger was added, removed or changed outside the migrations. The message says each
   * difference (`table users: column phone TEXT added`). Reported by `status` and `validate` when asked to check.
   */
  | 'SCHEMA_DRIFT'
  /** Several problems were found at once; see `problems`. */
  | 'VALIDATION_FAILED'
  /**
   * A statement that cannot work inside the transaction a migration runs in (`PRAGMA foreign_keys`, `VACUUM`,
   * `ATTACH`, `COMMIT`, …); found before anything runs, with its file, line and column.
   */
  | 'UNSAFE_STATEMENT'
  /**
   * The driver's engine cannot do what a migration or an operation asks, so nothing was run: a `transaction: false`
   * migration on an engine that applies each migration as one atomic batch (see `Driver.batch`), which has no way to
   * run statements outside a transaction and still record them once.
   */
  | 'NOT_SUPPORTED'
  /** A migration's SQL failed; the migration was rolled back. */
  | 'MIGRATION_FAILED'
  /** A migration's down.sql failed; the rollback was undone. */
  | 'ROLLBACK_FAILED'
  /**
   * Replayed on two SQLite engines (better-sqlite3 and sql.js), a migration applied on one and failed on the other,
   * or left schemas that differ; the message names the engines and the compile options or releases that explain it.
   */
  | 'PARITY_MISMATCH'
  /**
   * `validate` replayed the migrations in run order on an empty database in memory, and one failed there, with the
   * file, line and column of the failing token: it would fail on a real database too (unless it needs what the replay
   * cannot have, such as a file to ATTACH or a loadable extension). No real database was touched.
   */
  | 'REPLAY_FAILED'
  /**
   * `validate --round-trip` found a down.sql that fails, or does not restore the schema and rows from before up.sql,
   * or an up.sql that, applied again after down.sql, fails or builds something else than the first time.
   */
  | 'ROUND_TRIP_FAILED'
  /** A rollback was refused because applied migrations depend on the target. */
  | 'DEPENDENTS_APPLIED'
  /** A rollback was refused because a migration has no down.sql, or one that is empty or only comments. */
  | 'IRREVERSIBLE'
  /** `forget` was asked to remove the history row of a migration whose folder exists (roll it back instead). */
  | 'MIGRATION_PRESENT'
  /** A rollback target is not applied. */
  | 'NOT_APPLIED'
  /** A version was named that no migration has. */
  | 'UNKNOWN_VERSION'
  /**
   * A database applied some of the migrations a squashed migration replaces, but not all, and the folders of the
   * others are gone, so they cannot run; restore them, or migrate the database with them before removing them.
   */
  | 'SQUASH_INCOMPLETE'
  /**
   * A database that applied the migrations a squashed migration replaces has another schema than the squashed
   * migration builds, so counting it applied would hide the difference.
   */
  | 'SQUASH_MISMATCH'
  /** `squash` was refused, and wrote nothing: the squash folder exists, a migration cannot be squashed, and so on. */
  | 'SQUASH_REFUSED'
  /**
   * A schema change could be written more than one way: a table or column disappears while another appears, and no
   * rename or permission to drop says which it is. The message lists the `--rename` options that would say it.
   */
  | 'AMBIGUOUS_CHANGE'
  /** A schema change drops a table or column (its rows or values would be lost) and dropping was not allowed. */
  | 'DESTRUCTIVE_CHANGE'
  /**
   * A migration's meta.yaml declares `phase: expand`, but what it does to the schema would break the previous version
   * of the application (a column removed, a constraint added, …): it is a contract migration. The message names each
   * breaking change.
   */
  | 'PHASE_MISMATCH'
  /** An option has a value Strata cannot use (for example a history table name that is not an identifier). */
  | 'INVALID_OPTION'
  /**
   * A precomputed migrations bundle Strata cannot read: written in another format version (by an older or newer
   * Strata), or damaged. Writing it again with `strata bundle` fixes it.
   */
  | 'INVALID_BUNDLE'
  /** The database could not be read or written. */
  | 'DATABASE_ERROR'
  /** Another process held the database's lock for longer than the configured wait (`busyTimeoutMs`). */
  | 'LOCK_TIMEOUT'
  /** A reader pool was given a statement that writes, or returns no rows; it runs only reads. */
  | 'WRITE_REFUSED'
  /** A reader pool's thread stopped before it answered (it crashed or was ended), or all of its threads have. */
  | 'READER_STOPPED'
  /** A reader pool was closed before a query was sent, or before it was answered. */
  | 'READERS_CLOSED';

/**
 * Where an error points: the migration version and the file, relative to the migrations folder; for an error about
 * one statement, also the 1-based line and column in that file of the token SQLite's message names (`near ")"`,
 * `no such table: x`), or else of the statement's start.
 */
export interface ErrorLocation {
  readonly version?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

/** Options for {@link StrataError}. */
export interface StrataErrorOptions extends ErrorLocation {
  readonly cause?: unknown;
}

/**
 * The one error type of Strata.
 *
 * @example
 * ```ts
 * try {
 *   await manager.migrate();
 * } catch (error) {
 *   if (error instanceof StrataError && error.code === 'CHECKSUM_MISMATCH') console.error(error.version);
 * }
 * ```
 */
export class StrataError extends Error {
  override readonly name: string = 'StrataError';
  readonly code: ErrorCode;
  readonly version: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: ErrorCode, message: string, options: StrataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.version = options.version;
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
  }

  /** A plain object for logs, IPC and `--json`. */
  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.version === undefined ? {} : { version: this.version }),
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.line === undefined ? {} : { line: this.line }),
      ...(this.column === undefined ? {} : { column: this.column }),
    };
  }
}

/** The JSON form of a {@link StrataError}. */
export interface SerializedError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly version?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly problems?: readonly SerializedError[];
}

/**
 * Thrown when a migrations set or its history fails validation. Carries every problem found, so one run reports them
 * all; when there is exactly one, `code` is that problem's code.
 */
export class ValidationError extends StrataError {
  override readonly name = 'ValidationError';
  readonly problems: readonly StrataError[];

  constructor(problems: readonly StrataError[]) {
    const [first] = problems;
    const single = problems.length === 1 && first !== undefined;
    super(
      single ? first.code : 'VALIDATION_FAILED',
      single
        ? first.message
        : `${problems.length} problems found:\n${problems.map((p) => `  - ${p.code}: ${p.message}`).join('\n')}`,
      single ? { version: first.version, file: first.file, line: first.line, column: first.column } : {},
    );
    this.problems = problems;
  }

  override toJSON(): SerializedError {
    return { ...super.toJSON(), problems: this.problems.map((p) => p.toJSON()) };
  }
}

/** The message of an unknown thrown value, for wrapping driver errors. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Thrown by a driver's `batch` (see `Driver.batch`) when a statement of the batch failed, so nothing of it was
 * applied: `index` is the failing statement's place in the batch, `message` the engine's own error, and `cause` the
 * error the engine's client threw, when there was one.
 *
 * @example
 * ```ts
 * throw new BatchError(2, 'no such table: users', clientError);
 * ```
 */
export class BatchError extends Error {
  override readonly name = 'BatchError';

  constructor(
    readonly index: number,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
