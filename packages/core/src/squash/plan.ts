import type { Driver } from '../driver.js';
import { messageOf, StrataError, ValidationError } from '../errors.js';
import { type Migration, type MigrationSet, migrationFile, type ReplacedMigration, versionKey } from '../migration.js';
import { folderParts, parseMigrationFiles } from '../parse/files.js';
import { findVersion } from '../plan/migrate.js';
import { DEFAULT_HISTORY_TABLE } from '../run/history.js';
import { diffSchemas } from '../schema/diff.js';
import { type SchemaObject, schemaObjects } from '../schema/dump.js';
import { Replay } from '../schema/replay.js';
import { quoteIdentifier } from '../sql/identifier.js';
import { summarize } from '../summary.js';
import { reversibility } from '../validate/reversible.js';
import { checkSet } from '../validate/set.js';
import { rowStatements } from './rows.js';

/** Options of {@link planSquash}. */
export interface SquashOptions {
  /** The squash's name, the part of its folder after the version. Default `squashed`. */
  readonly name?: string;
  /** The history table, left out of what the squash creates. Default `schema_migrations`. */
  readonly table?: string;
}

/** The squashed migration {@link planSquash} made: where it goes, its files, and what it replaces. */
export interface SquashPlan {
  /** The version of the last migration replaced, which the squash takes. */
  readonly version: string;
  readonly name: string;
  /** `<version>_<name>`, such as `003_squashed`. */
  readonly folder: string;
  /** The migrations replaced, in run order. */
  readonly replaced: readonly Migration[];
  /**
   * The folders the squash makes unnecessary: those of the replaced migrations, and, where one of them is itself a
   * squash whose originals are still there, theirs.
   */
  readonly folders: readonly string[];
  /** The squash's files by name; down.sql only when every replaced migration has one. */
  readonly files: Readonly<Record<'up.sql' | 'meta.yaml', string>> & { readonly 'down.sql'?: string };
}

/**
 * Makes the text of one migration that replaces version `to` and everything it depends on, directly or not (only
 * those: migrations before it in run order that it does not need stay). The replaced migrations are applied, as a run
 * would, to an empty database in memory opened from `driver` (see {@link Replay}); the squash's up.sql creates the
 * schema found there (tables, then the rows they hold, then indexes, views and triggers, so no trigger fires on the
 * rows) and its meta.yaml lists, under `replaces`, each replaced version with the checksum of its up.sql. Its down.sql,
 * written only when every replaced migration has one, drops what the up.sql creates, dependent tables first. Before it
 * is returned the squash is itself applied to another empty database and must give the same schema and rows, and its
 * down.sql an empty schema again. Writes nothing; refused with `SQUASH_REFUSED` (a `transaction: false` migration, a
 * name that makes no folder name, a squash folder that exists), `UNKNOWN_VERSION`, the set's own problems, or the
 * `MIGRATION_FAILED` of a replayed migration.
 *
 * @example
 * ```ts
 * const plan = await planSquash(driver, set, '003'); // { folder: '003_squashed', files: { 'up.sql': …, 'meta.yaml': … }, … }
 * ```
 */
export async function planSquash(
  driver: Driver,
  set: MigrationSet,
  to: string,
  options: SquashOptions = {},
): Promise<SquashPlan> {
  const checked = checkSet(set);
  if (checked.problems.length > 0) throw new ValidationError(checked.problems);
  const target = findVersion(checked.order, to);
  const replaced = closureOf(target, checked.order, checked.byVersion);
  const name = options.name ?? 'squashed';
  const folder = `${target.version}_${name}`;
  if (folderParts(folder)?.version !== target.version) {
    throw refused(`the name "${name}" makes ${folder}, which is not a migration folder's name: use lower snake_case`, target);
  }
  if (set.migrations.some((m) => m.folder === folder)) throw refused(`the folder ${folder} exists already`, target, folder);
  for (const m of replaced) {
    if (!m.meta.transaction) {
      throw refused(
        `${m.folder} runs outside a transaction (transaction: false in meta.yaml), and a squash runs in one, so it cannot stand for it`,
        m,
        migrationFile(m, 'meta.yaml'),
      );
    }
  }
  const table = options.table ?? DEFAULT_HISTORY_TABLE;
  const replay = await Replay.open(driver, table);
  let files: SquashPlan['files'];
  try {
    for (const m of replaced) await replay.apply(m);
    const objects = await schemaObjects(replay.driver, { exclude: [table] });
    const rows = await rowStatements(
      replay.driver,
      objects.filter((o) => o.type === 'table'),
    );
    const reversible = replaced.every((m) => reversibility(m) === 'reversible');
    const down = reversible ? await downSql(replay.driver, objects) : undefined;
    files = {
      'up.sql': upSql(replaced, objects, rows),
      ...(down === undefined ? {} : { 'down.sql': down }),
      'meta.yaml': metaYaml(replaced, checked.byVersion),
    };
    await checkSquash(driver, table, folder, files, replay);
  } finally {
    await replay.close();
  }
  const inner = checked.squashes.filter((s) => replaced.includes(s.migration)).flatMap((s) => s.originals);
  const folders = [...replaced, ...inner].filter((m) => m.definedInCode !== true).map((m) => m.folder);
  return { version: target.version, name, folder, replaced, folders, files };
}

/** `target` and every migration it depends on, directly or not, in run order. */
function closureOf(target: Migration, order: readonly Migration[], byVersion: ReadonlyMap<string, Migration>): Migration[] {
  const wanted = new Set<Migration>();
  const visit = (m: Migration | undefined) => {
    if (m === undefined || wanted.has(m)) return;
    wanted.add(m);
    for (const dependency of m.meta.dependencies) visit(byVersion.get(dependency));
  };
  visit(target);
  return order.filter((m) => wanted.has(m));
}

function upSql(replaced: readonly Migration[], objects: readonly SchemaObject[], rows: readonly string[]): string {
  const of = (type: SchemaObject['type']) => objects.filter((o) => o.type === type).map((o) => o.sql);
  const statements = [
    // Rows are written table by table, not parent before child; foreign keys are checked at the commit instead.
    'PRAGMA defer_foreign_keys = ON',
    ...of('table'),
    ...rows,
    ...of('index'),
    ...of('view'),
    ...of('trigger'),
  ];
  const header = `-- Squashed: stands for ${summarize(replaced.map((m) => m.folder))} (see replaces in meta.yaml).\n\n`;
  return `${header}${statements.map((s) => `${s};\n`).join('')}`;
}

/** Drops what the up.sql creates: views, then tables with the tables that reference them first; indexes and triggers go with their tables. */
async function downSql(driver: Driver, objects: readonly SchemaObject[]): Promise<string> {
  const tables = objects.filter((o) => o.type === 'table').map((o) => o.name);
  const referenced = new Map<string, string[]>();
  for (const table of tables) {
    const parents = await driver.query<{ table: string }>('SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)', [table]);
    referenced.set(
      table,
      parents.map((p) => p.table).filter((p) => p !== table),
    );
  }
  // Children before parents: a table is dropped once every table that references it is gone.
  const dropped: string[] = [];
  const left = new Set(tables);
  while (left.size > 0) {
    const next =
      [...left].find((t) => ![...left].some((other) => other !== t && (referenced.get(other) ?? []).includes(t))) ?? [...left][0];
    if (next === undefined) break;
    dropped.push(next);
    left.delete(next);
  }
  const views = objects.filter((o) => o.type === 'view').map((o) => `DROP VIEW ${quoteIdentifier(o.name)};\n`);
  return `${[...views, ...dropped.map((t) => `DROP TABLE ${quoteIdentifier(t)};\n`)].join('')}`;
}

function metaYaml(replaced: readonly Migration[], byVersion: ReadonlyMap<string, Migration>): string {
  const inside = new Set(replaced.map((m) => versionKey(m.version)));
  const dependencies = [
    ...new Set(replaced.flatMap((m) => m.meta.dependencies).filter((d) => !inside.has(versionKey(d)) && byVersion.has(d))),
  ];
  const entries: ReplacedMigration[] = replaced.flatMap((m) => [
    ...(m.meta.replaces ?? []),
    { version: m.version, checksum: m.checksum },
  ]);
  const unique = [...new Map(entries.map((e) => [`${e.version} ${e.checksum}`, e])).values()];
  const lines = [
    `description: ${JSON.stringify(`Squash of ${summarize(replaced.map((m) => m.folder))}`)}`,
    ...(dependencies.length === 0 ? [] : [`dependencies: [${dependencies.map((d) => JSON.stringify(d)).join(', ')}]`]),
    'replaces:',
    ...unique.map((e) => `  - ${e.version} ${e.checksum}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Applies the squash to a second empty database and compares it with the replay of the originals: the same schema and
 * the same rows; then its down.sql must leave no object behind.
 */
async function checkSquash(
  driver: Driver,
  table: string,
  folder: string,
  files: SquashPlan['files'],
  originals: Replay,
): Promise<void> {
  const parsed = parseMigrationFiles(
    Object.fromEntries(Object.entries(files).map(([file, text]) => [`${folder}/${file}`, text])),
  );
  const [squash] = parsed.migrations;
  if (squash === undefined) throw new ValidationError(parsed.problems);
  const fail = (why: string) => refused(`the squash made would not stand for the migrations: ${why}`, squash);
  const replay = await Replay.open(driver, table);
  try {
    try {
      await replay.apply(squash);
    } catch (error) {
      throw fail(`it fails on an empty database: ${messageOf(error)}`);
    }
    const differences = diffSchemas(await originals.schema(), await replay.schema());
    if (differences.length > 0) throw fail(summarize(differences.map((d) => d.message)));
    const tables = (driver: Driver) =>
      schemaObjects(driver, { exclude: [table] }).then((objects) =>
        rowStatements(
          driver,
          objects.filter((o) => o.type === 'table'),
        ),
      );
    if ((await tables(originals.driver)).join('\n') !== (await tables(replay.driver)).join('\n')) {
      throw fail('the rows differ');
    }
    if (squash.down === undefined) return;
    try {
      await replay.rollback(squash);
    } catch (error) {
      throw fail(`its down.sql fails: ${messageOf(error)}`);
    }
    const left = await schemaObjects(replay.driver, { exclude: [table] });
    if (left.length > 0) throw fail(`its down.sql leaves ${summarize(left.map((o) => `${o.type} ${o.name}`))}`);
  } finally {
    await replay.close();
  }
}

function refused(why: string, migration: Migration, file = migrationFile(migration, 'up.sql')): StrataError {
  return new StrataError('SQUASH_REFUSED', `cannot squash: ${why}; nothing was written`, { version: migration.version, file });
}
