import type { Driver } from '../driver.js';
import { StrataError } from '../errors.js';
import type { Migration } from '../migration.js';
import { applyMigration, rollbackMigration, type StepWording } from '../run/apply.js';
import { DEFAULT_HISTORY_TABLE, HistoryTable } from '../run/history.js';
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
export class Replay {
  private constructor(
    /** The scratch database; the caller may read it, and write to it between steps. */
    readonly driver: Driver,
    private readonly history: HistoryTable,
  ) {}

  /** Opens an empty scratch database through `driver.scratch()`, with the history table named `table`. */
  static async open(driver: Driver, table: string = DEFAULT_HISTORY_TABLE): Promise<Replay> {
    if (driver.scratch === undefined) {
      throw new StrataError(
        'INVALID_OPTION',
        `the ${driver.name} driver cannot open a database in memory (it has no scratch()), which replaying migrations needs`,
      );
    }
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
   */
  async apply(migration: Migration, wording?: StepWording): Promise<void> {
    await applyMigration(this.driver, this.history, migration, undefined, wording);
  }

  /** Runs down.sql, as `rollback` would; a failure is the `ROLLBACK_FAILED` a run would report (or as `wording` says), the step undone. */
  async rollback(migration: Migration, wording?: StepWording): Promise<void> {
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
