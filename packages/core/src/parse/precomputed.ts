import { StrataError, ValidationError } from '../errors.js';
import type { Migration, MigrationMeta, MigrationSet } from '../migration.js';
import { type CheckedSet, checkSet, rememberCheckedSet } from '../validate/set.js';

/** The `format` of a {@link PrecomputedMigrations}: what tells it from a map of files or a set. */
export const PRECOMPUTED_FORMAT = 'strata-precomputed-migrations';
/** The `formatVersion` this version of Strata writes and reads. A bundle of another version is refused. */
export const PRECOMPUTED_FORMAT_VERSION = 1;

/** One migration of a {@link PrecomputedMigrations}: what parsing its folder gave, checksum and meta included. */
export interface PrecomputedMigration {
  readonly version: string;
  readonly name: string;
  /** The folder's name, which errors name files by. */
  readonly folder: string;
  /** MD5 hex of the normalised up.sql, as computed when the bundle was written; used as it is. */
  readonly checksum: string;
  /** meta.yaml as parsed, dependencies spelled as the versions they name. */
  readonly meta: MigrationMeta;
  readonly up: string;
  readonly down?: string;
}

/**
 * A migrations folder parsed, checked and ordered when it was bundled (`strata bundle`), as an application compiles
 * it in: loading it hashes, parses and re-checks nothing. Its checksums, meta and order are **taken as they are**:
 * a bundle is a build output of the tool, trusted like the rest of the application's code; `strata bundle --check`
 * tells whether it is still what the folder gives.
 *
 * @example
 * ```ts
 * import migrations from './migrations.bundle.js'; // written by `strata bundle --out src/migrations.bundle.js`
 * const manager = new MigrationManager({ driver, migrations });
 * ```
 */
export interface PrecomputedMigrations {
  readonly format: typeof PRECOMPUTED_FORMAT;
  readonly formatVersion: number;
  /** The versions in run order. */
  readonly order: readonly string[];
  /** Every migration: those of `order`, in that order, then any a squash replaces (which `order` leaves out). */
  readonly migrations: readonly PrecomputedMigration[];
}

/**
 * Whether `source` is a {@link PrecomputedMigrations} of any format version (a map of files has no `format` key that
 * names it; a set has none at all).
 *
 * @example
 * ```ts
 * isPrecomputedMigrations({ '001_a/up.sql': 'SELECT 1;' }); // false
 * ```
 */
export function isPrecomputedMigrations(source: object): source is PrecomputedMigrations {
  return (source as { format?: unknown }).format === PRECOMPUTED_FORMAT;
}

/**
 * The set a {@link PrecomputedMigrations} holds, with its order already known to `checkSet`, so that nothing is
 * hashed, parsed or re-checked; O(number of migrations). A bundle of another format version is refused with
 * `INVALID_BUNDLE`. Migrations that stand for others (a squash's `replaces`) are ordered again, as a folder is.
 *
 * @example
 * ```ts
 * const set = precomputedSet(bundle);
 * checkSet(set).order.map((m) => m.version); // bundle.order
 * ```
 */
export function precomputedSet(bundle: PrecomputedMigrations): MigrationSet {
  if (bundle.formatVersion !== PRECOMPUTED_FORMAT_VERSION || !Array.isArray(bundle.migrations)) {
    const written = typeof bundle.formatVersion === 'number' ? `format ${bundle.formatVersion}` : 'an unknown format';
    const newer = typeof bundle.formatVersion === 'number' && bundle.formatVersion > PRECOMPUTED_FORMAT_VERSION;
    const message = `the migrations bundle is in ${written}, but this version of Strata reads format ${PRECOMPUTED_FORMAT_VERSION}: ${newer ? 'upgrade Strata, or ' : ''}write the bundle again with "strata bundle --out <file>"`;
    throw new StrataError('INVALID_BUNDLE', message);
  }
  // A record has exactly the fields of a Migration: taken as one, not copied.
  const migrations: readonly Migration[] = bundle.migrations;
  const set: MigrationSet = { migrations, problems: [] };
  if (migrations.some((m) => m.meta.replaces !== undefined)) return set;
  const order = migrations.slice(0, bundle.order.length);
  if (order.length !== migrations.length || order.some((m, i) => m.version !== bundle.order[i])) {
    const message = 'the migrations bundle is damaged: its order does not list its migrations; write it again';
    throw new StrataError('INVALID_BUNDLE', message);
  }
  const checked: CheckedSet = { order, byVersion: new Map(order.map((m) => [m.version, m])), problems: [], squashes: [] };
  rememberCheckedSet(set, checked);
  return set;
}

/**
 * What a bundle holds for `set`, which must have no problems (`checkSet` with statements): each migration as parsed,
 * in run order, and that order. Keys come in one fixed order, so the same folder always gives the same bundle.
 *
 * @example
 * ```ts
 * const bundle = precomputeMigrations(await loadMigrationsFolder('migrations'));
 * ```
 */
export function precomputeMigrations(set: MigrationSet): PrecomputedMigrations {
  const { order, problems } = checkSet(set);
  if (problems.length > 0) throw new ValidationError(problems);
  const ordered = new Set(order.map((m) => m.version));
  const replaced = set.migrations.filter((m) => !ordered.has(m.version));
  return {
    format: PRECOMPUTED_FORMAT,
    formatVersion: PRECOMPUTED_FORMAT_VERSION,
    order: order.map((m) => m.version),
    migrations: [...order, ...replaced].map(recordOf),
  };
}

function recordOf(m: Migration): PrecomputedMigration {
  const down = m.down;
  return {
    version: m.version,
    name: m.name,
    folder: m.folder,
    checksum: m.checksum,
    meta: metaRecord(m.meta),
    up: m.up,
    ...(down === undefined ? {} : { down }),
  };
}

/** `meta` with its keys in one fixed order, and none that is undefined. */
function metaRecord(meta: MigrationMeta): MigrationMeta {
  const { description, dependencies, transaction, foreignKeys, createdAt, replaces, phase } = meta;
  return {
    ...(description === undefined ? {} : { description }),
    dependencies: [...dependencies],
    transaction,
    ...(foreignKeys === undefined ? {} : { foreignKeys }),
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(replaces === undefined ? {} : { replaces: replaces.map((r) => ({ version: r.version, checksum: r.checksum })) }),
    ...(phase === undefined ? {} : { phase }),
  };
}
