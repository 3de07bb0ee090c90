import { checksumOf } from '../checksum.js';
import { StrataError, ValidationError } from '../errors.js';
import { type Migration, type MigrationMeta, type MigrationSet, migrationFile } from '../migration.js';
import { containsStatement, positionOf } from '../sql/split.js';
import { looseFileTarget } from './loose-files.js';
import { checkMeta, type MetaInput, parseMeta, type YamlParser } from './meta.js';

/** Relative path → file text, as a folder loader or a bundler's glob import gives it. */
export type MigrationFiles = Readonly<Record<string, string>>;

/**
 * A file's text, or a function that reads it when it is first needed: called with the file's path in the migrations
 * folder (`001_init/down.sql`), it returns the text or throws a {@link ValidationError} naming the file. A loader may
 * give down.sql so (one function can serve every folder): only a rollback runs it, and reading the down.sql of every
 * migration at every start-up would cost a run with nothing to do more than anything else it does. Other files given
 * so are read at once.
 */
export type FileText = string | ((file: string) => string);

/** Options of {@link parseMigrationFiles}. */
export interface MigrationFilesOptions {
  /**
   * The `yaml` package (`import * as yaml from 'yaml'`), to read a meta.yaml written in YAML beyond plain
   * `key: value` lines, one-line lists and `|` text. Without it such a file is an `INVALID_META` problem; the common
   * form never needs it, which keeps the package out of start-up and out of a browser bundle.
   */
  readonly yaml?: YamlParser;
  /**
   * Computes the checksum of an up.sql; it must give what {@link checksumOf} gives. Node's loader passes one backed
   * by `node:crypto`, many times faster than the portable MD5 on the thousands of files read at every start-up.
   */
  readonly checksum?: (sql: string) => string;
}

/**
 * A migration folder's name: the version, then `_`, then the name. The version is the leading digits, at least three,
 * where a dash may stand between two groups of digits and is dropped (`2024-03-13-170000` is `20240313170000`); the
 * version ends at the first `_`. The name is lower snake_case: groups of lower-case letters and digits joined by single
 * underscores, and it may start with a digit (`2024-03-13_170000_add_sso` is version `20240313`, name `170000_add_sso`).
 */
const FOLDER = /^(\d+(?:-\d+)*)_([a-z0-9]+(?:_[a-z0-9]+)*)$/;
/** The rule of {@link FOLDER}, as messages state it. */
export const FOLDER_RULE =
  'the version (at least three digits; dashes between groups of digits are dropped), an underscore, then a lower snake_case name (lower-case letters, digits and single underscores; it may start with a digit), such as 001_create_users or 2024-03-13-170000_create_users (version 20240313170000)';

/**
 * The version and name of a migration folder's name, or undefined when it is not one (see {@link FOLDER_RULE}).
 *
 * @example
 * ```ts
 * folderParts('2024-03-13-170000_create_users'); // { version: '20240313170000', name: 'create_users' }
 * ```
 */
export function folderParts(folder: string): { readonly version: string; readonly name: string } | undefined {
  const match = FOLDER.exec(folder);
  const version = match?.[1]?.replace(/-/g, '') ?? '';
  if (match === null || version.length < 3) return undefined;
  return { version, name: match[2] ?? '' };
}
const KNOWN_FILES = new Set(['up.sql', 'down.sql', 'meta.yaml']);
/** Files with these endings are migration material; anything else in a folder (notes, .gitkeep) is left alone. */
const MIGRATION_LIKE = /\.(sql|ya?ml)$/i;

/** A migration written in code instead of a folder, for `registerMigration`. */
export interface MigrationDefinition {
  readonly version: string;
  readonly name: string;
  readonly up: string;
  readonly down?: string;
  readonly meta?: MetaInput;
}

/**
 * Turns a map of files into migrations. Keys are paths whose last two segments are `<folder>/<file>`, so
 * `001_init/up.sql`, `./migrations/001_init/up.sql` and a Vite key `/migrations/001_init/up.sql` are all the same file;
 * files directly in the migrations folder are ignored. Never throws: every problem is collected. A meta.yaml beyond the
 * common form of YAML is read only when `options.yaml` is given (see {@link MigrationFilesOptions}).
 *
 * @example
 * ```ts
 * const set = parseMigrationFiles({ '001_init/up.sql': 'CREATE TABLE t (id INTEGER PRIMARY KEY);' });
 * set.migrations[0]?.version; // '001'
 * ```
 */
export function parseMigrationFiles(files: MigrationFiles, options: MigrationFilesOptions = {}): MigrationSet {
  const folders = new Map<string, Map<string, string>>();
  for (const path of Object.keys(files).sort()) {
    const segments = path
      .replace(/\\/g, '/')
      .split('/')
      .filter((s) => s !== '' && s !== '.');
    const file = segments.at(-1);
    const folder = segments.at(-2);
    if (segments.length < 2 || file === undefined || folder === undefined) continue;
    const entries = folders.get(folder) ?? new Map<string, string>();
    entries.set(file, files[path] ?? '');
    folders.set(folder, entries);
  }
  return parseMigrationFolders(folders, options);
}

/**
 * Turns folders already grouped (folder name → file name → text, in sorted order) into migrations, as
 * {@link parseMigrationFiles} does after grouping the paths of its map. A folder loader that reads folder by folder
 * calls it directly.
 */
export function parseMigrationFolders(
  folders: Iterable<readonly [folder: string, files: ReadonlyMap<string, FileText>]>,
  options: MigrationFilesOptions = {},
): MigrationSet {
  const migrations: Migration[] = [];
  const problems: StrataError[] = [];
  for (const [folder, entries] of folders) {
    const result = parseFolder(folder, entries, options);
    if (result.problems.length > 0) problems.push(...result.problems);
    if (result.migration !== undefined) migrations.push(result.migration);
  }
  return { migrations, problems };
}

function parseFolder(
  folder: string,
  entries: ReadonlyMap<string, FileText>,
  options: MigrationFilesOptions,
): { migration?: Migration; problems: StrataError[] } {
  const parts = folderParts(folder);
  if (parts === undefined) {
    return {
      problems: [
        new StrataError('INVALID_MIGRATION', `folder "${folder}" is not a migration name: expected ${FOLDER_RULE}`, {
          file: folder,
        }),
      ],
    };
  }
  const { version, name } = parts;
  const problems: StrataError[] = [];
  for (const file of entries.keys()) {
    if (!KNOWN_FILES.has(file) && MIGRATION_LIKE.test(file)) {
      const hint = file === 'meta.yml' ? ' (the file is called meta.yaml)' : renameHint(file);
      problems.push(
        new StrataError(
          'INVALID_MIGRATION',
          `${folder}/${file} is not a migration file${hint}: expected up.sql, down.sql or meta.yaml`,
          {
            version,
            file: `${folder}/${file}`,
          },
        ),
      );
    }
  }
  const metaText = textOf(entries.get('meta.yaml'), folder, 'meta.yaml');
  const metaNul = metaText === undefined ? undefined : nulProblem(`${folder}/meta.yaml`, version, metaText);
  const metaResult =
    metaText === undefined || metaNul !== undefined
      ? checkMeta(undefined, '', version)
      : parseMeta(metaText, `${folder}/meta.yaml`, version, options.yaml);
  if (metaNul !== undefined) problems.push(metaNul);
  problems.push(...metaResult.problems);
  const built = buildMigration(
    { folder },
    version,
    name,
    textOf(entries.get('up.sql'), folder, 'up.sql'),
    entries.get('down.sql'),
    metaResult.meta,
    options.checksum,
  );
  problems.push(...built.problems);
  if (problems.length > 0 || built.migration === undefined) return { problems };
  return { migration: built.migration, problems };
}

/** For a file named as another tool names a migration's half (`000001_x.up.sql`), the name Strata reads it by. */
function renameHint(file: string): string {
  const target = looseFileTarget(file);
  return target?.named === true ? ` (rename it ${target.file})` : '';
}

/**
 * Checks a migration defined in code the same way a folder is checked.
 */
export function parseMigrationDefinition(definition: MigrationDefinition): { migration?: Migration; problems: StrataError[] } {
  const folder = `${definition.version}_${definition.name}`;
  if (folderParts(folder)?.version !== definition.version) {
    return {
      problems: [
        new StrataError(
          'INVALID_MIGRATION',
          `registered migration "${folder}" must have a version of at least three digits and a lower snake_case name`,
          { version: definition.version, file: folder },
        ),
      ],
    };
  }
  const source = { folder, definedInCode: true } as const;
  const metaResult = checkMeta(definition.meta, migrationFile(source, 'meta.yaml'), definition.version);
  const built = buildMigration(source, definition.version, definition.name, definition.up, definition.down, metaResult.meta);
  const problems = [...metaResult.problems, ...built.problems];
  if (problems.length > 0 || built.migration === undefined) return { problems };
  return { migration: built.migration, problems };
}

function buildMigration(
  source: MigrationSource,
  version: string,
  name: string,
  up: string | undefined,
  down: FileText | undefined,
  meta: MigrationMeta,
  checksum: (sql: string) => string = checksumOf,
): { migration?: Migration; problems: StrataError[] } {
  const { folder } = source;
  const file = migrationFile(source, 'up.sql');
  const problems: StrataError[] = [];
  // A file of comments would run as a no-op and be recorded as applied: almost always a scaffold nobody filled in.
  // Blank text has no statement either; it is told apart only for the message.
  const upNul = up === undefined ? undefined : nulProblem(file, version, up);
  if (up === undefined) {
    const message = `${folder} has no up.sql: write the SQL this migration runs in ${file}, or delete the folder`;
    problems.push(new StrataError('INVALID_MIGRATION', message, { version, file }));
  } else if (upNul !== undefined) problems.push(upNul);
  else if (!containsStatement(up)) {
    const message = isBlank(up)
      ? `${file} is empty`
      : `${file} has no SQL statements, only comments: write the SQL this migration runs`;
    problems.push(new StrataError('INVALID_MIGRATION', message, { version, file }));
  }
  // A folder left out anyway has its down.sql read now, so that one fix does not only uncover the next problem.
  if (typeof down === 'function' && problems.length > 0) problems.push(...problemsReading(down, folder, version));
  const downText = typeof down === 'string' ? downProblem(source, version, down) : undefined;
  if (downText !== undefined) problems.push(downText);
  if (problems.length > 0 || up === undefined) return { problems };
  const migration = {
    version,
    name,
    folder,
    up,
    meta,
    checksum: checksum(up),
    ...(source.definedInCode ? { definedInCode: true as const } : {}),
  };
  if (down === undefined) return { migration, problems: [] };
  if (typeof down === 'string') return { migration: { ...migration, down }, problems: [] };
  // Read when first asked for, checked then as a down.sql given as text is checked here, and kept once read.
  Object.defineProperties(migration, { [READ_DOWN]: { value: down }, [DOWN_TEXT]: { value: undefined, writable: true } });
  return { migration: Object.defineProperty(migration, 'down', { get: readDown, enumerable: true }), problems: [] };
}

/**
 * Where a migration whose down.sql is read when first needed keeps its reader, and the text once read. One getter
 * serves every such migration: a getter of its own per object would give each object a shape of its own, and V8
 * then keeps them all as dictionaries, several hundred bytes each. Copies made with the property descriptors (see
 * `checkSet`) read for themselves.
 */
const READ_DOWN = Symbol('read down.sql');
const DOWN_TEXT = Symbol('down.sql as read');

interface LazyDown {
  readonly folder: string;
  readonly version: string;
  readonly [READ_DOWN]: (file: string) => string;
  [DOWN_TEXT]: string | undefined;
}

function readDown(this: LazyDown): string {
  this[DOWN_TEXT] ??= readCheckedDown(this[READ_DOWN], this.folder, this.version);
  return this[DOWN_TEXT];
}

/** Reads a down.sql given as a function and checks it as one given as text is checked; throws a ValidationError. */
function readCheckedDown(read: (file: string) => string, folder: string, version: string): string {
  const sql = read(migrationFile({ folder }, 'down.sql'));
  const problem = downProblem({ folder }, version, sql);
  if (problem !== undefined) throw new ValidationError([problem]);
  return sql;
}

/**
 * What stops a down.sql from being used: a NUL byte. One without a statement (empty, or only comments, as some tools
 * write one for every migration) makes the migration irreversible instead (see `reversibility`).
 */
function downProblem(source: MigrationSource, version: string, down: string): StrataError | undefined {
  return nulProblem(migrationFile(source, 'down.sql'), version, down);
}

/** What {@link readCheckedDown} finds wrong, as problems. */
function problemsReading(read: (file: string) => string, folder: string, version: string): readonly StrataError[] {
  try {
    readCheckedDown(read, folder, version);
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
}

/**
 * A NUL byte ends a script for SQLite: the statements after it would silently never run while the migration is
 * recorded as applied. No migration file may hold one, meta.yaml included (YAML does not allow it either).
 */
function nulProblem(file: string, version: string, text: string): StrataError | undefined {
  const at = text.indexOf('\0');
  if (at < 0) return undefined;
  const { line, column } = positionOf(text, at);
  return new StrataError(
    'INVALID_MIGRATION',
    `${file}:${line}:${column}: the file holds a NUL byte, which no migration file may hold (SQLite stops reading a script at one, so what follows would silently never run); remove it`,
    { version, file, line, column },
  );
}

/** Where a migration comes from: its folder, or code (`registerMigration`). */
type MigrationSource = Pick<Migration, 'folder' | 'definedInCode'>;

/** The text of a file that is not read lazily (only down.sql may be). */
function textOf(text: FileText | undefined, folder: string, file: string): string | undefined {
  return typeof text === 'function' ? text(`${folder}/${file}`) : text;
}

function isBlank(sql: string): boolean {
  return sql.replace(/^\ufeff/, '').trim() === '';
}
