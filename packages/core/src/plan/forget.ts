import { StrataError } from '../errors.js';
import { type MigrationSet, VersionSet } from '../migration.js';
import { folderParts } from '../parse/files.js';
import { type AppliedMigration, recordedVersions } from '../validate/history.js';
import type { CheckedSet } from '../validate/set.js';

/** The history rows `forget` removes: every row of one version number, the migration of which has no folder. */
export interface ForgetPlan {
  /** The version as asked for. */
  readonly version: string;
  /** The rows recorded for that version number (more than one only in a table without a PRIMARY KEY). */
  readonly rows: readonly AppliedMigration[];
}

/** What `forget` did, or in a dry run would do. */
export interface ForgetReport extends ForgetPlan {
  /** True unless the rows were removed. */
  readonly dryRun: boolean;
}

/**
 * Decides which history rows to forget for `version`: those of an applied migration whose folder is gone
 * (`APPLIED_MISSING`), so that the history matches the folder again without `--ignore-missing`. Refuses
 * `MIGRATION_PRESENT` when a folder of that version exists (a migration there is rolled back, not forgotten), and
 * `NOT_APPLIED` when no row records it. `loaded` is the set as loaded, so that a folder left out for a problem of its
 * own still counts as there.
 *
 * @example
 * ```ts
 * const { rows } = planForget(checkSet(set), set, await history.list(), '004'); // the row of 004_gone
 * ```
 */
export function planForget(
  checked: CheckedSet,
  loaded: MigrationSet,
  applied: readonly AppliedMigration[],
  version: string,
): ForgetPlan {
  const wanted = new VersionSet([version]);
  if (!/^\d+$/.test(version)) {
    throw new StrataError('INVALID_OPTION', `${JSON.stringify(version)} is not a version: a version is a number such as 004`, {
      version,
    });
  }
  const folder = [
    ...loaded.migrations.map((m) => m.folder),
    ...loaded.problems.flatMap((p) => (p.file === undefined ? [] : [p.file])),
  ]
    .map((path) => path.split('/')[0] ?? '')
    .find((name) => wanted.has(folderParts(name)?.version ?? ''));
  if (folder !== undefined) {
    throw new StrataError(
      'MIGRATION_PRESENT',
      `migration ${version} has a folder, ${folder}, so its history row is not forgotten; roll it back instead (rollback ${version}), or delete the folder first if the migration is gone for good`,
      { version, file: folder },
    );
  }
  const recorded = recordedVersions(checked.byVersion, applied).find(({ row }) => wanted.has(row.version));
  if (recorded === undefined) {
    throw new StrataError('NOT_APPLIED', `no history row records migration ${version}, so there is nothing to forget`, {
      version,
    });
  }
  return { version, rows: [recorded.row, ...recorded.duplicates] };
}
