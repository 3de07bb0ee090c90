import type { Driver } from '../driver.js';
import { StrataError } from '../errors.js';
import { type Migration, migrationFile } from '../migration.js';
import type { StepWording } from '../run/apply.js';
import { quoteIdentifier } from '../sql/identifier.js';
import { diffSchemas } from './diff.js';
import type { SchemaModel, TableModel } from './model.js';
import type { Replay } from './replay.js';

/** What a round trip of one migration found: `passed`, or the `ROUND_TRIP_FAILED` problem and what differed. */
export type RoundTripOutcome =
  | { readonly passed: true }
  | {
      readonly passed: false;
      readonly problem: StrataError;
      /** Each difference as a sentence: `index idx_users_email added`, `table users: rows differ (3 before, 2 after)`. */
      readonly differences: readonly string[];
      /** False when the replay is no longer in the state the migration's up.sql builds and must be built again. */
      readonly applied: boolean;
    };

/** A database's state as a round trip compares it: its schema, and every row of every table, by table. */
interface State {
  readonly schema: SchemaModel;
  readonly rows: ReadonlyMap<string, readonly string[]>;
}

const BACK: StepWording = { failure: 'ROUND_TRIP_FAILED', scene: 'on the in-memory round trip' };
const AGAIN: StepWording = {
  failure: 'ROUND_TRIP_FAILED',
  scene: 'when applied again after down.sql on the in-memory round trip',
};

/**
 * Applies `migration` to `replay` and checks that its down.sql undoes it: the state before up.sql is recorded (the
 * schema, and the rows of every table), up.sql applied, the state recorded again, down.sql run and the state compared
 * with the first (tables up.sql created are gone, or the schema says so), up.sql applied again and the state compared
 * with the second; the values of columns whose default is the current time are not compared. The migration must have a
 * down.sql with a statement. An up.sql that fails the first time throws its
 * `REPLAY_FAILED`, as a plain replay would; what goes wrong after is the outcome, a `ROUND_TRIP_FAILED`.
 *
 * @example
 * ```ts
 * const outcome = await roundTrip(replay, migration);
 * if (!outcome.passed) console.log(outcome.differences); // ['index idx_users_email added']
 * ```
 */
export async function roundTrip(replay: Replay, migration: Migration, first: StepWording): Promise<RoundTripOutcome> {
  const before = await stateOf(replay);
  await replay.apply(migration, first);
  const after = await stateOf(replay);
  try {
    await replay.rollback(migration, BACK);
  } catch (error) {
    if (!(error instanceof StrataError)) throw error;
    return { passed: false, problem: error, differences: [], applied: true };
  }
  const undone = differences(before, await stateOf(replay), before.schema.tables);
  if (undone.length > 0) {
    const message = `migration ${migration.version} (${migration.name}): down.sql does not restore the database as it was before up.sql, on the in-memory round trip: ${undone.join('; ')}`;
    return failure(migration, 'down.sql', message, undone);
  }
  try {
    await replay.apply(migration, AGAIN);
  } catch (error) {
    if (!(error instanceof StrataError)) throw error;
    return { passed: false, problem: error, differences: [], applied: false };
  }
  const again = differences(after, await stateOf(replay), after.schema.tables);
  if (again.length > 0) {
    const message = `migration ${migration.version} (${migration.name}): up.sql, applied again after down.sql on the in-memory round trip, builds something else than the first time: ${again.join('; ')}`;
    return failure(migration, 'up.sql', message, again);
  }
  return { passed: true };
}

function failure(migration: Migration, file: 'up.sql' | 'down.sql', message: string, found: readonly string[]): RoundTripOutcome {
  const problem = new StrataError('ROUND_TRIP_FAILED', message, {
    version: migration.version,
    file: migrationFile(migration, file),
  });
  return { passed: false, problem, differences: found, applied: false };
}

/** How `now` differs from `was`: the schema, in `diffSchemas`' sentences, then the rows of each of `tables`. */
function differences(was: State, now: State, tables: readonly TableModel[]): string[] {
  const found = diffSchemas(was.schema, now.schema).map((d) => d.message);
  for (const table of tables) {
    const a = was.rows.get(table.name) ?? [];
    const b = now.rows.get(table.name);
    if (b === undefined) continue; // gone: the schema says so
    if (a.length !== b.length || a.some((row, i) => row !== b[i])) {
      found.push(`table ${table.name}: rows differ (${a.length} before, ${b.length} after)`);
    }
  }
  return found;
}

async function stateOf(replay: Replay): Promise<State> {
  const schema = await replay.schema();
  const rows = new Map<string, readonly string[]>();
  for (const table of schema.tables) {
    const found = await rowsOf(replay.driver, table);
    if (found !== undefined) rows.set(table.name, found);
  }
  return { schema, rows };
}

/** A default that is the time of the insert: `CURRENT_TIMESTAMP`, `datetime('now')`, `unixepoch()`. */
const THE_TIME = /current_(?:timestamp|date|time)|'now'|unixepoch\(\s*\)/i;

/**
 * Every row of `table`, each as the SQL literals of its values (`quote()`: the type as well as the value, so `1`,
 * `1.0` and `'1'` differ), in one order whatever order they were inserted in; undefined when they cannot be read.
 * Columns whose default is the current time are left out: applied a second later, the same rows differ there.
 */
async function rowsOf(driver: Driver, table: TableModel): Promise<readonly string[] | undefined> {
  const compared = table.columns.filter((c) => c.default === null || !THE_TIME.test(c.default));
  const values = compared.map((c) => `quote(${quoteIdentifier(c.name)})`).join(` || ', ' || `) || `''`;
  try {
    const rows = await driver.query<{ row: string }>(`SELECT ${values} AS row FROM ${quoteIdentifier(table.name)} ORDER BY 1`);
    return rows.map((r) => r.row);
  } catch {
    // A table whose columns changed: the schema says how, and its rows are not compared.
    return undefined;
  }
}
