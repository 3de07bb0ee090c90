import { sameChecksum } from '../checksum.js';
import { StrataError } from '../errors.js';
import { type Migration, migrationFile, VersionSet, versionKey } from '../migration.js';
import { summarize } from '../summary.js';
import type { AppliedMigration } from './history.js';
import { orderMigrations } from './order.js';

/**
 * A squashed migration (one whose meta.yaml has `replaces`) and what it stands for.
 *
 * The squash takes the version of the last migration it replaces, so it runs where they ran and a dependency on any
 * of them resolves to it. While their folders are still there the set holds both; per database:
 * - none of the replaced versions recorded: only the squash runs (a new database);
 * - the squash's version recorded with the squash's checksum: the squash is applied;
 * - the squash's version recorded with the checksum of the migration it replaced: the originals all ran, so the squash
 *   counts as applied once the database's schema is found to be the one it builds; `migrate` then records the squash's
 *   checksum in that row (the database is adopted), and the check is not made again;
 * - some replaced versions recorded but not the squash's own: the remaining originals run (their folders must still be
 *   there), and then the squash counts as applied, as above.
 * Rows of replaced versions are checked against the checksums `replaces` records, so they stay exact after the
 * folders are removed, and are neither missing nor run again.
 */
export interface Squash {
  /** The squashed migration, as it is in the set's order. */
  readonly migration: Migration;
  /** Version number (see `versionKey`) → the checksums `replaces` records for it. */
  readonly checksums: ReadonlyMap<string, readonly string[]>;
  /** The replaced migrations whose folders are still there, in their run order. */
  readonly originals: readonly Migration[];
}

/**
 * The squashed migrations of a set, the version numbers each stands for, and the migrations it replaces (left out of
 * the set's order). A squash replaced by another squash is one of the other's originals. Problems (a squash that does
 * not list its own version, a version two squashes replace, an original whose up.sql is not the one recorded) are
 * pushed to `problems`.
 */
export function findSquashes(
  migrations: readonly Migration[],
  problems: StrataError[],
): { squashes: Squash[]; replacedBy: ReadonlyMap<string, Squash>; originals: ReadonlySet<Migration> } {
  const candidates = migrations.filter((m) => m.meta.replaces !== undefined);
  if (candidates.length === 0) return { squashes: [], replacedBy: new Map(), originals: new Set() };
  const claims = new Map<string, Migration>();
  const usable: Migration[] = [];
  for (const m of candidates) {
    const versions = [...new Set((m.meta.replaces ?? []).map((entry) => versionKey(entry.version)))];
    const file = migrationFile(m, 'meta.yaml');
    if (!versions.includes(versionKey(m.version))) {
      const message = `${file}: "replaces" must list the migration's own version ${m.version}: a squashed migration takes the version of the last migration it replaces`;
      problems.push(new StrataError('INVALID_META', message, { version: m.version, file }));
      continue;
    }
    usable.push(m);
    for (const key of versions) if (!claims.has(key) || claimsWider(m, claims.get(key))) claims.set(key, m);
  }
  // An inner squash (replaced by another) is an original of the outer one; two squashes that overlap otherwise are a
  // problem, since a version can run in only one of them.
  const outer = usable.filter((m) => claims.get(versionKey(m.version)) === m);
  const squashes: Squash[] = [];
  const replacedBy = new Map<string, Squash>();
  const originals = new Set<Migration>();
  for (const m of outer) {
    const checksums = new Map<string, string[]>();
    for (const entry of m.meta.replaces ?? []) {
      const key = versionKey(entry.version);
      if (claims.get(key) !== m) {
        const other = claims.get(key)?.folder ?? '';
        const file = migrationFile(m, 'meta.yaml');
        const message = `${file}: "replaces" lists ${entry.version}, which ${other} replaces too; a version can be replaced by one squashed migration only`;
        problems.push(new StrataError('INVALID_META', message, { version: m.version, file }));
      }
      checksums.set(key, [...(checksums.get(key) ?? []), entry.checksum]);
    }
    const replaced = migrations.filter((o) => o !== m && checksums.has(versionKey(o.version)));
    for (const o of replaced) {
      originals.add(o);
      if ((checksums.get(versionKey(o.version)) ?? []).some((c) => sameChecksum(c, o.checksum))) continue;
      const file = migrationFile(o, 'up.sql');
      const message = `${file} has checksum ${o.checksum}, but ${migrationFile(m, 'meta.yaml')} records that it replaces ${o.version} with ${summarize(checksums.get(versionKey(o.version)) ?? [])}; applied migrations must not be edited, and a squash stands only for the migrations it was made from`;
      problems.push(new StrataError('CHECKSUM_MISMATCH', message, { version: o.version, file }));
    }
    const squash: Squash = { migration: m, checksums, originals: orderMigrations(replaced).order };
    squashes.push(squash);
    for (const key of checksums.keys()) replacedBy.set(key, squash);
  }
  return { squashes, replacedBy, originals };
}

/** Whether squash `a` stands for squash `b` (lists `b`'s version), so that `a` is the outer of the two. */
function claimsWider(a: Migration, b: Migration | undefined): boolean {
  return b !== undefined && (a.meta.replaces ?? []).some((entry) => versionKey(entry.version) === versionKey(b.version));
}

/** What {@link resolveSquashes} decided for one database. */
export interface ResolvedSet {
  /** The run order on this database: each squash, or, where the database ran some of its originals, those. */
  readonly order: readonly Migration[];
  /** Version → migration, for every migration in `order`. */
  readonly byVersion: ReadonlyMap<string, Migration>;
  /** `SQUASH_INCOMPLETE`: originals that would have to run but whose folders are gone. */
  readonly problems: readonly StrataError[];
  /** Squashes that count as applied because the database ran their originals, not adopted yet (see {@link Squash}). */
  readonly unadopted: readonly Squash[];
}

/**
 * Decides, for a database with these history rows, whether each squash or its originals stand in the run order (see
 * {@link Squash}). A set without squashes is returned as it is.
 *
 * @example
 * ```ts
 * const { order, unadopted } = resolveSquashes(checkSet(set), await manager.applied());
 * ```
 */
export function resolveSquashes(
  checked: {
    readonly order: readonly Migration[];
    readonly byVersion: ReadonlyMap<string, Migration>;
    readonly squashes: readonly Squash[];
  },
  applied: readonly AppliedMigration[],
): ResolvedSet {
  const { squashes } = checked;
  if (squashes.length === 0) return { order: checked.order, byVersion: checked.byVersion, problems: [], unadopted: [] };
  const rows = new Map(applied.map((row) => [versionKey(row.version), row]));
  const problems: StrataError[] = [];
  const unadopted: Squash[] = [];
  const substituted = new Map<Migration, readonly Migration[]>();
  for (const squash of squashes) {
    const { migration } = squash;
    const recorded = [...squash.checksums.keys()].filter((key) => rows.has(key));
    if (recorded.length === 0) continue;
    const own = rows.get(versionKey(migration.version));
    if (own !== undefined) {
      if (!sameChecksum(own.checksum, migration.checksum)) unadopted.push(squash);
      continue;
    }
    const present = new VersionSet(squash.originals.map((o) => o.version));
    const gone = [...squash.checksums.keys()].filter((key) => !rows.has(key) && !present.has(key));
    if (gone.length > 0) {
      problems.push(
        new StrataError(
          'SQUASH_INCOMPLETE',
          `the database applied ${summarize(recorded)} of the migrations ${migration.folder} replaces, but not ${summarize(gone)}, whose folders are gone; restore them from version control and migrate, then remove them again`,
          { version: migration.version, file: migrationFile(migration, 'meta.yaml') },
        ),
      );
      continue;
    }
    substituted.set(migration, squash.originals);
  }
  if (substituted.size === 0) return { order: checked.order, byVersion: checked.byVersion, problems, unadopted };
  const order = checked.order.flatMap((m) => substituted.get(m) ?? [m]);
  return { order, byVersion: new Map(order.map((m) => [m.version, m])), problems, unadopted };
}

/**
 * For a history row of a version a squash replaces, when the squash (not an original) stands for it: whether the row
 * is one of the recorded checksums (or, for the squash's own version, the squash's), as a `CHECKSUM_MISMATCH` when
 * not; undefined when the row is fine, or not the squash's to judge.
 */
export function replacedRowProblem(
  row: AppliedMigration,
  migration: Migration | undefined,
  squashes: readonly Squash[],
): { readonly judged: boolean; readonly problem?: StrataError } {
  const key = versionKey(row.version);
  const squash = squashes.find((s) => s.checksums.has(key));
  if (squash === undefined || (migration !== undefined && migration !== squash.migration)) return { judged: false };
  const accepted = squash.checksums.get(key) ?? [];
  const own = versionKey(squash.migration.version) === key;
  if (accepted.some((c) => sameChecksum(c, row.checksum)) || (own && sameChecksum(squash.migration.checksum, row.checksum))) {
    return { judged: true };
  }
  const file = migrationFile(squash.migration, 'meta.yaml');
  const expected = summarize(own ? [...accepted, squash.migration.checksum] : accepted);
  return {
    judged: true,
    problem: new StrataError(
      'CHECKSUM_MISMATCH',
      `migration ${row.version} (${row.name}) was applied with checksum ${row.checksum}, but ${squash.migration.folder}, which replaces it, records ${expected} (${file}); the database ran another migration ${row.version} than the one squashed`,
      { version: row.version, file },
    ),
  };
}
