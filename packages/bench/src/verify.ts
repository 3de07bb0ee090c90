import Database from 'better-sqlite3';
import type { CorpusShape } from './corpus.js';

/**
 * Checks what a contender left in the database, so that no tool is measured doing less than the others: after `up`,
 * every corpus table with every row; after `down`, no corpus table, index or trigger.
 */
export function verify(db: string, shape: CorpusShape, applied: boolean): void {
  const connection = new Database(db, { readonly: true });
  try {
    const objects = connection
      .prepare("SELECT type, name FROM sqlite_master WHERE name LIKE ? ESCAPE '\\' AND type IN ('table', 'index', 'trigger')")
      .all(`${shape.tablePrefix.replace(/_/g, '\\_')}%`) as { type: string; name: string }[];
    const tables = objects.filter((o) => o.type === 'table').map((o) => o.name);
    if (!applied) {
      if (objects.length > 0) throw new Error(`${db}: ${objects.length} corpus objects left after rolling back`);
      return;
    }
    if (tables.length !== shape.tables) throw new Error(`${db}: ${tables.length} corpus tables, expected ${shape.tables}`);
    let rows = 0;
    for (const table of tables) rows += connection.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number;
    if (rows !== shape.rows) throw new Error(`${db}: ${rows} rows in the corpus tables, expected ${shape.rows}`);
  } finally {
    connection.close();
  }
}
