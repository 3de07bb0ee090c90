import type { Driver } from '../driver.js';
import { messageOf, StrataError } from '../errors.js';
import { type Migration, migrationFile, VersionSet } from '../migration.js';
import { Replay } from '../schema/replay.js';
import type { AppliedMigration } from '../validate/history.js';
import type { Squash } from '../validate/squash.js';

/**
 * Checks that a database which ran the originals of `unadopted` squashes has the schema they would have given it: the
 * migrations applied on it, in `order` (each squash in its originals' place), are replayed on an empty database in
 * memory of the same engine, and the two schemas compared, the history tables left out. Later migrations are
 * replayed too, so a column one of them added is no difference. Each difference is a sentence of the one
 * `SQUASH_MISMATCH` returned; a migration that fails in the replay is reported the same way. Changes nothing.
 *
 * @example
 * ```ts
 * const problems = await checkSquashedSchema(driver, 'schema_migrations', resolved.order, applied, resolved.unadopted);
 * ```
 */
export async function checkSquashedSchema(
  driver: Driver,
  table: string,
  order: readonly Migration[],
  applied: readonly AppliedMigration[],
  unadopted: readonly Squash[],
): Promise<StrataError[]> {
  const [first] = unadopted;
  if (first === undefined) return [];
  const recorded = new VersionSet(applied.map((row) => row.version));
  const names = unadopted.map((s) => s.migration.folder).join(', ');
  const refuse = (why: string) =>
    new StrataError(
      'SQUASH_MISMATCH',
      `the database ran the migrations ${names} replaces, but ${why}; it cannot count as having applied ${names}: bring its schema in line, or keep the replaced folders and do not add the squash`,
      { version: first.migration.version, file: migrationFile(first.migration, 'up.sql') },
    );
  const replay = await Replay.open(driver, table);
  try {
    const differences = await replay.differencesFrom(
      order.filter((m) => recorded.has(m.version)),
      driver,
    );
    if (differences.length === 0) return [];
    return [refuse(`its schema differs from the one they build (${differences.map((d) => d.message).join('; ')})`)];
  } catch (error) {
    return [refuse(`replaying them failed: ${messageOf(error)}`)];
  } finally {
    await replay.close();
  }
}
