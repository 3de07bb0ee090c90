import { StrataError } from '../errors.js';
import { type Migration, type MigrationMeta, type MigrationSet, migrationFile, versionKey } from '../migration.js';
import { summarize } from '../summary.js';
import { orderMigrations } from './order.js';
import { findSquashes, type Squash } from './squash.js';
import { checkStatements } from './statements.js';

/** A validated migrations set: the usable migrations in run order, and every problem found. */
export interface CheckedSet {
  /** Migrations in dependency order; those on a cycle or with a duplicate version are left out. */
  readonly order: readonly Migration[];
  /** Canonical version → migration, for every migration in `order`. */
  readonly byVersion: ReadonlyMap<string, Migration>;
  readonly problems: readonly StrataError[];
  /**
   * The squashed migrations of the set (those with `replaces`), each with the migrations it stands for that are still
   * in the folder. Those are left out of `order`, where the squash stands in their place, and dependencies on their
   * versions name the squash; which of the two runs on a database is decided by `resolveSquashes`.
   */
  readonly squashes: readonly Squash[];
}

/** Options of {@link checkSet}. */
export interface CheckSetOptions {
  /**
   * `false` leaves out {@link checkStatements}, for a caller that checks the statements of only the migrations it is
   * about to run: an applied migration's statements never run again. Default true.
   */
  readonly statements?: boolean;
}

// A set is checked once: loaders and managers hand the same set object around (an app's start-up checks it before
// opening the database, then migrates with it), and a set is never changed after it is made. The statements are
// kept per migration by checkStatements.
const structures = new WeakMap<MigrationSet, CheckedSet>();
/** Sets whose statements were checked before they were made (a precomputed bundle): none is scanned again. */
const statementsChecked = new WeakSet<MigrationSet>();

/**
 * Makes `checked` what {@link checkSet} gives for `set`, statements included, without checking anything: for a set
 * whose checks were made when it was written (a precomputed bundle, see `precomputedSet`), which is taken as it is.
 *
 * @example
 * ```ts
 * rememberCheckedSet(set, { order, byVersion, problems: [], squashes: [] });
 * ```
 */
export function rememberCheckedSet(set: MigrationSet, checked: CheckedSet): void {
  structures.set(set, checked);
  statementsChecked.add(set);
}

/**
 * Validates a loaded set as a whole: duplicate versions, dependencies on versions that do not exist, cycles, and
 * statements that cannot run in a migration's transaction ({@link checkStatements}); then orders it. Dependencies
 * are rewritten to the spelling of the version they name, so `1` and `001` agree. The result is kept for the set
 * object, which must not be changed afterwards (its type is read-only).
 */
export function checkSet(set: MigrationSet, options: CheckSetOptions = {}): CheckedSet {
  let structure = structures.get(set);
  if (structure === undefined) {
    structure = checkStructure(set);
    structures.set(set, structure);
  }
  if (options.statements === false || statementsChecked.has(set)) return structure;
  const unsafe = set.migrations.flatMap((m) => checkStatements(m));
  if (unsafe.length === 0) return structure;
  // In the order they were always reported: the loader's, then the statements, then those of the set as a whole.
  const loaded = set.problems.length;
  const problems = [...structure.problems.slice(0, loaded), ...unsafe, ...structure.problems.slice(loaded)];
  return { ...structure, problems };
}

/** Everything {@link checkSet} checks but the statements. */
function checkStructure(set: MigrationSet): CheckedSet {
  const problems: StrataError[] = [...set.problems];
  const { squashes, replacedBy, originals } = findSquashes(set.migrations, problems);
  const byNumber = new Map<string, Migration[]>();
  for (const m of set.migrations) {
    if (originals.has(m)) continue;
    const key = versionKey(m.version);
    const group = byNumber.get(key);
    if (group === undefined) byNumber.set(key, [m]);
    else group.push(m);
  }

  const unique: Migration[] = [];
  for (const group of byNumber.values()) {
    const [first] = group;
    if (group.length === 1 && first !== undefined) {
      unique.push(first);
      continue;
    }
    // One problem per version, naming every folder: each folder's own would say the same thing again.
    const folders = group.map((m) => m.folder).sort();
    problems.push(
      new StrataError(
        'DUPLICATE_VERSION',
        `${summarize(folders)} have the same version number; each version must be unique: renumber all but one`,
        { version: first?.version ?? '', file: folders[0] },
      ),
    );
  }

  const resolved = unique.map((m) => {
    // A migration whose dependencies all name versions as spelled, as nearly all do, is kept as it is.
    let dependencies: string[] | undefined;
    m.meta.dependencies.forEach((dependency, index) => {
      // A dependency on a replaced version is one on the squash that stands for it.
      const squash = replacedBy.get(versionKey(dependency))?.migration;
      const target = squash === undefined ? byNumber.get(versionKey(dependency)) : [squash];
      const spelled = target?.length === 1 ? target[0]?.version : undefined;
      if (target === undefined) {
        problems.push(
          new StrataError('MISSING_DEPENDENCY', `${m.folder} depends on ${dependency}, but no migration has that version`, {
            version: m.version,
            file: migrationFile(m, 'meta.yaml'),
          }),
        );
      }
      if (spelled !== dependency) dependencies ??= m.meta.dependencies.slice(0, index);
      else if (dependencies === undefined) return;
      if (spelled !== undefined) dependencies.push(spelled);
    });
    return dependencies === undefined ? m : withMeta(m, { ...m.meta, dependencies });
  });

  const { order, cycles } = orderMigrations(resolved);
  const folderOf = new Map(resolved.map((m) => [m.version, m.folder]));
  for (const cycle of cycles) {
    const [head = ''] = cycle;
    problems.push(
      new StrataError(
        'DEPENDENCY_CYCLE',
        `dependency cycle: ${summarize(cycle).replace(/, /g, ' → ')} (each depends on the next)`,
        {
          version: head,
          file: `${folderOf.get(head) ?? head}/meta.yaml`,
        },
      ),
    );
  }
  return { order, byVersion: new Map(order.map((m) => [m.version, m])), problems, squashes };
}

/** A copy of `m` with another meta; a down.sql read when first needed stays unread (a spread would read it). */
function withMeta(m: Migration, meta: MigrationMeta): Migration {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(m)) as Migration;
  return Object.defineProperty(copy, 'meta', { value: meta, enumerable: true });
}
