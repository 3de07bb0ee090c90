import { StrataError, ValidationError } from '../errors.js';
import { type Migration, type MigrationFileName, migrationFile } from '../migration.js';
import { type Statement, splitStatements } from '../sql/split.js';
import { spelling, tokenize } from '../sql/tokens.js';

const NO_TRANSACTION = 'mark the migration "transaction: false" in meta.yaml';

/**
 * The first words {@link adviceFor} finds a problem with, as whole words in any case. Most scripts contain none of
 * them, and are then not split at all. It can only say yes too often, never no: such a word at the start of a
 * statement is a run of identifier characters, or the whole inside of a quoted identifier, so it always stands
 * between non-word characters; lower-casing it could not have made it out of other letters, as no character beyond
 * ASCII lower-cases to one of its letters. Keep it in step with `adviceFor`.
 */
const WATCHED_WORDS = /\b(?:pragma|vacuum|attach|detach|begin|commit|end|rollback)\b/i;

/**
 * Finds the statements of a transactional migration that cannot do their job inside the transaction Strata runs it
 * in, so they are reported before anything runs instead of failing half-way or, worse, being silently ignored:
 *
 * - `PRAGMA foreign_keys = …`, which SQLite ignores inside a transaction: a table rebuild meant to run with foreign
 *   keys off would cascade-delete the rows that reference the dropped table. `foreign_keys: off` in meta.yaml is the
 *   way to do it.
 * - `PRAGMA journal_mode = …`, `PRAGMA synchronous = …`, `VACUUM`, `ATTACH` and `DETACH`, which SQLite refuses in a
 *   transaction.
 * - `BEGIN`, `COMMIT`, `END` and `ROLLBACK`, which would fail or end the migration's transaction early.
 *   `SAVEPOINT`, `RELEASE` and `ROLLBACK TO` nest inside it and are fine.
 *
 * A `transaction: false` migration may run any of them. Each problem is an `UNSAFE_STATEMENT` naming the file, line
 * and column of the statement and what to do instead.
 *
 * @example
 * ```ts
 * checkStatements(migration)[0]?.message;
 * // '004_rebuild_users/up.sql:1:1: PRAGMA foreign_keys has no effect inside a transaction, …'
 * ```
 *
 * `scripts` narrows the check to the script a run in one direction runs: `up` for up.sql, `down` for down.sql. A
 * down.sql that a loader reads only when first needed is read here, and what stops it from being read or used (bytes
 * that are not UTF-8, no statement) is reported among the problems, for migrations in a transaction or not.
 */
export function checkStatements(migration: Migration, scripts: StatementScripts = 'both'): StrataError[] {
  let found = checked.get(migration);
  if (found === undefined) {
    found = {};
    checked.set(migration, found);
  }
  const problems: StrataError[] = [];
  if (scripts !== 'down') {
    found.up ??= migration.meta.transaction ? scriptProblems(migration, 'up.sql', migration.up) : [];
    problems.push(...found.up);
  }
  if (scripts !== 'up') {
    found.down ??= downProblems(migration);
    problems.push(...found.down);
  }
  return problems;
}

/**
 * The problems of a migration's down.sql: those of reading it, for a down.sql read when first needed (not UTF-8,
 * no statement), then those of its statements.
 */
function downProblems(migration: Migration): readonly StrataError[] {
  let sql: string | undefined;
  try {
    sql = migration.down;
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  return migration.meta.transaction ? scriptProblems(migration, 'down.sql', sql) : [];
}

/** Which of a migration's scripts {@link checkStatements} checks: the one a run in that direction runs, or both. */
export type StatementScripts = 'up' | 'down' | 'both';

// A migration object is never changed once parsed, and the same one is checked by validation and again by the run.
const checked = new WeakMap<Migration, { up?: readonly StrataError[]; down?: readonly StrataError[] }>();

function scriptProblems(migration: Migration, name: MigrationFileName, sql: string | undefined): StrataError[] {
  if (sql === undefined || !WATCHED_WORDS.test(sql)) return [];
  const problems: StrataError[] = [];
  const file = migrationFile(migration, name);
  for (const statement of splitStatements(sql)) {
    const advice = adviceFor(leadingWords(statement, FIRST_WORDS));
    if (advice === undefined) continue;
    const { line, column } = statement;
    problems.push(
      new StrataError('UNSAFE_STATEMENT', `${file}:${line}:${column}: ${advice}`, {
        version: migration.version,
        file,
        line,
        column,
      }),
    );
  }
  return problems;
}

/** What is wrong with a statement that starts with `words`, and what to do instead; undefined when nothing is. */
function adviceFor(words: readonly string[]): string | undefined {
  const [first, second, third] = words;
  switch (first) {
    case 'pragma':
      return pragmaAdvice(words.slice(1));
    case 'vacuum':
    case 'attach':
    case 'detach':
      return `${first.toUpperCase()} cannot run inside a transaction, and this migration runs in one; ${NO_TRANSACTION}`;
    case 'begin':
      return 'BEGIN fails inside the transaction this migration already runs in, together with its history row; remove it, or use SAVEPOINT for a nested step';
    case 'commit':
    case 'end':
      return `${first.toUpperCase()} would end the transaction this migration runs in, so a later failure could no longer be undone; remove it, or use RELEASE to end a SAVEPOINT`;
    case 'rollback':
      if (second === 'to' || (second === 'transaction' && third === 'to')) return undefined;
      return 'ROLLBACK would end the transaction this migration runs in; remove it, or use ROLLBACK TO a SAVEPOINT';
    default:
      return undefined;
  }
}

/** Only a pragma that sets a value matters: reading `PRAGMA foreign_keys` works anywhere. */
function pragmaAdvice(words: readonly string[]): string | undefined {
  const [name, ...rest] = words[1] === '.' ? words.slice(2) : words;
  if (rest[0] !== '=' && rest[0] !== '(') return undefined;
  switch (name) {
    case 'foreign_keys':
      return 'PRAGMA foreign_keys has no effect inside a transaction, and this migration runs in one, so foreign keys stay enforced and dropping a table that others reference deletes or blocks their rows (ON DELETE CASCADE, RESTRICT); remove it and set "foreign_keys: off" in meta.yaml, which turns them off around the transaction and runs PRAGMA foreign_key_check before committing';
    case 'journal_mode':
    case 'synchronous':
      return `PRAGMA ${name} cannot be changed inside a transaction, and this migration runs in one; set it when opening the database, or ${NO_TRANSACTION}`;
    default:
      return undefined;
  }
}

/** The first words {@link adviceFor} looks further at; after any other, it says nothing. */
const FIRST_WORDS = new Set(['pragma', 'vacuum', 'attach', 'detach', 'begin', 'commit', 'end', 'rollback']);

/**
 * The first few words and symbols of a statement, comments left out, identifiers unquoted, in lower case; only the
 * first when it is not in `worthMore`.
 */
function leadingWords(statement: Statement, worthMore: ReadonlySet<string>, count = 6): string[] {
  const words: string[] = [];
  for (const token of tokenize(statement.text)) {
    if (token.kind === 'space' || token.kind === 'comment') continue;
    words.push(
      token.kind === 'word' || token.kind === 'quoted'
        ? spelling(statement.text, token)
        : statement.text.slice(token.start, token.end),
    );
    if (words.length === count || (words.length === 1 && !worthMore.has(words[0] ?? ''))) break;
  }
  return words;
}
