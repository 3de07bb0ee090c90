import type { Driver } from '../driver.js';
import { StrataError } from '../errors.js';
import { type Migration, migrationFile } from '../migration.js';
import { applyMigration, rollbackMigration, type StepWording } from '../run/apply.js';
import { DEFAULT_HISTORY_TABLE, HistoryTable } from '../run/history.js';
import { splitStatements } from '../sql/split.js';
import { spelling, tokenize } from '../sql/tokens.js';
import { diffSchemas, type SchemaDifference } from './diff.js';
import type { SchemaModel } from './model.js';
import { readSchema } from './read.js';

/** How a check that replays migrations reports one that fails: `REPLAY_FAILED`, on the in-memory replay. */
export const ON_REPLAY: StepWording = { failure: 'REPLAY_FAILED', scene: 'on the in-memory replay' };

/**
 * An empty database in memory, on the engine of the driver it was opened from, that migrations are applied to and
 * rolled back from to see what they do, exactly as a run would do it: each step in its own transaction, recorded in
 * the history table, a failure rolled back and reported with the migration's file, line and column. Every check that
 * replays a folder (validate's replay, drift, round trips, squashing) goes through it, so none touches a real database.
 *
 * @example
 * ```ts
 * const replay = await Replay.open(driver);
 * try {
 *   for (const migration of manager.migrations()) await replay.apply(migration);
 *   console.log((await replay.schema()).tables.map((t) => t.name));
 * } finally {
 *   await replay.close();
 * }
 * ```
 */
/**
 * Why nothing can be replayed with `driver`: it has no scratch database (`Driver.scratch`), as an engine reached
 * over a network (rqlite) has no honest one in this process.
 *
 * @example
 * ```ts
 * noScratchDatabase({ name: 'rqlite' }); // 'the rqlite driver has no scratch database (no scratch()) to replay …'
 * ```
 */
export function noScratchDatabase(driver: Pick<Driver, 'name'>): string {
  return `the ${driver.name} driver has no scratch database (no scratch()) to replay the migrations on`;
}

export class Replay {
  private constructor(
    /** The scratch database; the caller may read it, and write to it between steps. */
    readonly driver: Driver,
    private readonly history: HistoryTable,
  ) {}

  /** Opens an empty scratch database through `driver.scratch()`, with the history table named `table`. */
  static async open(driver: Driver, table: string = DEFAULT_HISTORY_TABLE): Promise<Replay> {
    if (driver.scratch === undefined) throw new StrataError('INVALID_OPTION', noScratchDatabase(driver));
    const scratch = await driver.scratch();
    return new Replay(scratch, new HistoryTable(scratch, table));
  }

  /** The history table's name, which {@link schema} leaves out. */
  get table(): string {
    return this.history.name;
  }

  /**
   * Applies up.sql, as `migrate` would; a failure is the `MIGRATION_FAILED` a run would report, the step undone, or
   * has the code and says where it ran as `wording` says: `{ failure: 'REPLAY_FAILED', scene: 'on the in-memory replay' }`.
   * A script that would write a file (see {@link fileAttach}) is refused with `REPLAY_FAILED` before it runs, so no
   * check that replays ever creates one.
   */
  async apply(migration: Migration, wording?: StepWording): Promise<void> {
    const refused = fileAttach(migration, 'up.sql');
    if (refused !== undefined) throw refused;
    await applyMigration(this.driver, this.history, migration, undefined, wording);
  }

  /** Runs down.sql, as `rollback` would; a failure is the `ROLLBACK_FAILED` a run would report (or as `wording` says), the step undone. */
  async rollback(migration: Migration, wording?: StepWording): Promise<void> {
    const refused = fileAttach(migration, 'down.sql');
    if (refused !== undefined) throw refused;
    await rollbackMigration(this.driver, this.history, migration, undefined, wording);
  }

  /** The schema the steps so far have built, without the history table. */
  schema(): Promise<SchemaModel> {
    return readSchema(this.driver, { exclude: [this.history.name] });
  }

  /**
   * Applies `migrations` in order, then compares the schema they build with `actual`: the schema of the database
   * they ran on for real, read here (without the history table) when given its driver. Each difference says what that
   * database has that the migrations do not build. A migration that fails is thrown as {@link apply} throws it.
   */
  async differencesFrom(migrations: Iterable<Migration>, actual: Driver | SchemaModel): Promise<SchemaDifference[]> {
    for (const migration of migrations) await this.apply(migration);
    const real = 'tables' in actual ? actual : await readSchema(actual, { exclude: [this.history.name] });
    return diffSchemas(await this.schema(), real);
  }

  /** Closes the scratch database. Safe to call twice. */
  close(): Promise<void> {
    return this.driver.close();
  }
}

/**
 * The `REPLAY_FAILED` of a script that attaches a database file or writes one (`VACUUM INTO`), which the replay does
 * not run: an empty database in memory would create the file, and validating changes nothing. `ATTACH ':memory:'` and
 * `ATTACH ''` (a temporary database) are run; a file name built by an expression (`'' || 'archive.db'`) is a file.
 */
export function fileAttach(migration: Migration, name: 'up.sql' | 'down.sql'): StrataError | undefined {
  const sql = name === 'up.sql' ? migration.up : migration.down;
  if (sql === undefined || !/\b(attach|into)\b/i.test(sql)) return undefined;
  for (const statement of splitStatements(sql)) {
    const { text } = statement;
    const words = [...tokenize(text)].filter((t) => t.kind !== 'space' && t.kind !== 'comment');
    const word = (at: number) => {
      const token = words[at];
      return token === undefined ? undefined : spelling(text, token);
    };
    const written = (target: number, end: number) => text.slice(words[target]?.start ?? 0, words[end]?.start ?? text.length);
    let why: string;
    if (word(0) === 'attach') {
      const target = word(1) === 'database' ? 2 : 1;
      const end = words.findIndex((t, i) => i > target && t.kind === 'word' && spelling(text, t) === 'as');
      const file = written(target, end).trim();
      if (end === target + 1 && (file === "':memory:'" || file === "''")) continue;
      why = `it attaches the database ${file}, a file the replay does not create`;
    } else if (word(0) === 'vacuum' && (word(1) === 'into' || word(2) === 'into')) {
      why = `it writes the database to ${written(word(1) === 'into' ? 2 : 3, words.length).trim()} (VACUUM INTO), a file the replay does not create`;
    } else continue;
    const file = migrationFile(migration, name);
    const { line, column } = statement;
    return new StrataError(
      'REPLAY_FAILED',
      `migration ${migration.version} (${migration.name}) cannot run on the in-memory replay at ${file}:${line}:${column}: ${why}; check this migration with --no-replay (replay: false)`,
      { version: migration.version, file, line, column },
    );
  }
  return undefined;
}
