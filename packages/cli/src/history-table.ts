import { DEFAULT_HISTORY_TABLE, type Driver, StrataError } from '@strata/core';

/** The columns every history table has, whichever Strata version made it; `duration_ms` came later. */
const HISTORY_COLUMNS = ['version', 'name', 'applied_at', 'checksum'] as const;

/** What a database holds under the history table's name. */
export interface HistoryTableFound {
  /** The history table's name. */
  readonly table: string;
  /** Whether it exists (it is then a history table: any other table of that name is refused). */
  readonly exists: boolean;
  /** When it does not exist: the database's other tables that have the history table's columns. */
  readonly others: readonly string[];
}

/**
 * Looks at the history table before a command uses it. A table of that name without the history table's columns
 * (a `--table` naming one of the application's tables) is refused with an `INVALID_OPTION` naming the table and its
 * columns, before anything is read from it or written. When the table does not exist, the other tables shaped like
 * a history table are named, since a mistyped `--table` would otherwise show every migration as pending.
 *
 * @example
 * ```ts
 * const found = await inspectHistoryTable(driver, 'schema_migrations', 'data/app.db');
 * if (!found.exists && found.others.length > 0) console.log(`history is in ${found.others[0]}`);
 * ```
 */
export async function inspectHistoryTable(driver: Driver, table: string, file: string): Promise<HistoryTableFound> {
  const columns = await columnsOf(driver, table);
  if (columns.length > 0) {
    const missing = HISTORY_COLUMNS.filter((column) => !columns.includes(column));
    if (missing.length === 0) return { table, exists: true, others: [] };
    throw new StrataError(
      'INVALID_OPTION',
      `table ${table} of database ${file} is not a history table: its columns are ${columns.join(', ')}, and a history table has ${HISTORY_COLUMNS.join(', ')}; name the history table with --table (default ${DEFAULT_HISTORY_TABLE}), or a table that does not exist yet for a new history`,
      { file },
    );
  }
  const tables = await driver.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const others: string[] = [];
  for (const { name } of tables) {
    const has = await columnsOf(driver, name);
    if (HISTORY_COLUMNS.every((column) => has.includes(column))) others.push(name);
  }
  return { table, exists: false, others };
}

/** The column names of `table`, lower-cased as SQLite matches them; none when there is no such table. */
async function columnsOf(driver: Driver, table: string): Promise<string[]> {
  const rows = await driver.query<{ name: string }>("SELECT name FROM pragma_table_info(?, 'main')", [table]);
  return rows.map((row) => String(row.name).toLowerCase());
}
