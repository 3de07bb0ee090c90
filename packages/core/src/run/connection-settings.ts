import type { Driver } from '../driver.js';
import type { Statement } from '../sql/split.js';

/**
 * The connection settings a migration's `PRAGMA` can change that decide what the application's later statements do
 * on the same connection: which constraints are enforced, how triggers and renames behave, whether the schema or
 * anything at all may be written, how durable a commit is and how long a statement waits for a lock. Each is read
 * and set with a plain `PRAGMA`, lasts until the next one, and is not undone by a rollback.
 *
 * Left out: `defer_foreign_keys`, which SQLite itself turns off at every commit and rollback, and what is stored in
 * the database file rather than the connection (`journal_mode = WAL`, `user_version`, `page_size`, `auto_vacuum`),
 * which is a change to the database like any other statement's.
 */
const SETTINGS = [
  'foreign_keys',
  'recursive_triggers',
  'legacy_alter_table',
  'ignore_check_constraints',
  'query_only',
  'writable_schema',
  'trusted_schema',
  'reverse_unordered_selects',
  'synchronous',
  'busy_timeout',
] as const;

/** The settings a migration found on the connection, to put back after it fails. */
export interface SettingsSnapshot {
  /**
   * Sets back every setting whose value differs from the one found, and returns their names. Call it outside any
   * transaction: `PRAGMA foreign_keys` does nothing inside one.
   */
  restore(): Promise<readonly string[]>;
}

const NOTHING_TO_RESTORE: SettingsSnapshot = { restore: async () => [] };

/**
 * Reads the {@link SETTINGS} before a script runs, when one of its statements is a `PRAGMA`: no other statement can
 * change them (the table-valued `pragma_…()` functions only read), so a script without one is not worth the queries.
 *
 * @example
 * ```ts
 * const settings = await snapshotSettings(driver, splitStatements('PRAGMA foreign_keys = OFF; …'));
 * // … the script fails, its transaction is rolled back …
 * await settings.restore(); // ['foreign_keys']
 * ```
 */
export async function snapshotSettings(driver: Driver, statements: readonly Statement[]): Promise<SettingsSnapshot> {
  if (!statements.some((statement) => /^pragma\b/i.test(statement.text))) return NOTHING_TO_RESTORE;
  const found = await readSettings(driver);
  return {
    async restore() {
      const now = await readSettings(driver);
      const changed = SETTINGS.filter((name) => found.has(name) && now.get(name) !== found.get(name));
      for (const name of changed) await driver.exec(`PRAGMA ${name} = ${found.get(name)}`);
      return changed;
    },
  };
}

/** Each setting's value; one this SQLite does not know answers with no row and is left out. */
async function readSettings(driver: Driver): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  for (const name of SETTINGS) {
    // Read by position: `PRAGMA busy_timeout` names its column `timeout`.
    const [value] = Object.values((await driver.query(`PRAGMA ${name}`))[0] ?? {});
    // Only integers are written back into a PRAGMA.
    if (typeof value === 'number' && Number.isInteger(value)) values.set(name, value);
  }
  return values;
}
