import { StrataError } from '../errors.js';
import type { Migration } from '../migration.js';

/** One row of the history table. */
export interface AppliedMigration {
  readonly version: string;
  readonly name: string;
  /** As SQLite stored it: `YYYY-MM-DD HH:MM:SS`, UTC. */
  readonly appliedAt: string;
  readonly checksum: string;
  /** How long the migration took, where the history table records it. */
  readonly durationMs?: number;
}

/**
 * Compares the history with the migrations on disk: an applied migration whose up.sql changed, or one that no longer
 * exists, is a problem. A migration that was applied must stay as it was; a new one is the way to change a schema.
 */
export function checkHistory(
  byVersion: ReadonlyMap<string, Migration>,
  applied: readonly AppliedMigration[],
  ignoreMissing = false,
): StrataError[] {
  const problems: StrataError[] = [];
  for (const row of applied) {
    const migration = byVersion.get(row.version);
    if (migration === undefined) {
      if (!ignoreMissing) {
        problems.push(
          new StrataError(
            'APPLIED_MISSING',
            `migration ${row.version} (${row.name}) is recorded as applied, but no folder ${row.version}_${row.name} exists`,
            { version: row.version },
          ),
        );
      }
    } else if (migration.checksum !== row.checksum) {
      const file = `${migration.folder}/up.sql`;
      problems.push(
        new StrataError(
          'CHECKSUM_MISMATCH',
          `migration ${row.version} (${file}) was applied with checksum ${row.checksum} but the file now has ${migration.checksum}; applied migrations must not be edited, write a new migration instead`,
          { version: row.version, file },
        ),
      );
    }
  }
  return problems;
}
