import type { Driver } from '@strata/core';

/**
 * Drops every table and view (their indexes and triggers go with them) and forgets AUTOINCREMENT counters, so that a
 * node serves as a new, empty database. One at a time, over a few passes: with foreign keys on, a parent goes only
 * after its children, and dropping a virtual table takes its shadow tables along.
 */
export async function emptyDatabase(driver: Driver): Promise<void> {
  for (let pass = 0; pass < 10; pass++) {
    const objects = await driver.query<{ type: string; name: string }>(
      "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY type DESC",
    );
    if (objects.length === 0) break;
    for (const { type, name } of objects)
      await driver.run(`DROP ${type.toUpperCase()} IF EXISTS "${name.replaceAll('"', '""')}"`).catch(() => undefined);
  }
  const sequence = await driver.query("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'");
  if (sequence.length > 0) await driver.run('DELETE FROM sqlite_sequence');
}
