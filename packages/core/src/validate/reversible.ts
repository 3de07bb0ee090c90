import { StrataError } from '../errors.js';
import { type Migration, migrationFile } from '../migration.js';
import { containsStatement } from '../sql/split.js';

/**
 * Whether a migration can be rolled back: `reversible`, or why not: it has no down.sql (`no-down`), or its down.sql
 * holds no statement, being empty or only comments (`empty-down`), as tools that write one for every migration leave
 * it. Reads a down.sql read when first needed.
 *
 * @example
 * ```ts
 * if (reversibility(migration) !== 'reversible') console.log(`${migration.folder} cannot be rolled back`);
 * ```
 */
export function reversibility(migration: Migration): 'reversible' | 'no-down' | 'empty-down' {
  const { down } = migration;
  if (down === undefined) return 'no-down';
  return containsStatement(down) ? 'reversible' : 'empty-down';
}

/**
 * The `IRREVERSIBLE` error of a migration that cannot be rolled back, naming its down.sql; `why` is added to the
 * message (why it would have to be rolled back).
 */
export function irreversible(migration: Migration, why = ''): StrataError {
  const file = migrationFile(migration, 'down.sql');
  const what =
    reversibility(migration) === 'no-down'
      ? `migration ${migration.folder} has no down.sql, so it cannot be rolled back${why}; ${migration.definedInCode === true ? 'give it a down, the SQL that undoes its up,' : `write the SQL that undoes up.sql in ${file}`} to make it reversible`
      : `migration ${migration.folder} cannot be rolled back${why}: ${file} has no SQL statements (it is empty or only comments), which makes the migration irreversible; write the SQL that undoes up.sql in it to make it reversible`;
  return new StrataError('IRREVERSIBLE', what, { version: migration.version, file });
}

/**
 * Warnings for the migrations whose down.sql has no statement: they are irreversible, which is allowed, but a
 * down.sql that says nothing is more often one nobody filled in than a decision.
 *
 * @example
 * ```ts
 * for (const warning of emptyDownWarnings(checkSet(set).order)) console.warn(warning.message);
 * ```
 */
export function emptyDownWarnings(order: readonly Migration[]): StrataError[] {
  return order.filter((m) => reversibility(m) === 'empty-down').map((m) => irreversible(m));
}
