import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { messageOf, StrataError, ValidationError } from '../errors.js';
import { parseMigrationFiles } from '../parse/files.js';
import { errorCodeOf } from './atomic-file.js';
import { makeFolders } from './make-folders.js';

/** Options of {@link scaffoldMigration}. */
export interface ScaffoldOptions {
  /** Versions the new migration needs applied first; each must be a migration in the folder. */
  readonly dependencies?: readonly string[];
  /** The sentence for meta.yaml; default: the name in words (`add_user_tags` → `Add user tags`). */
  readonly description?: string;
  /** The time written as `created_at`, and the version of a `timestamp` one; default now. */
  readonly now?: Date;
  /**
   * How the version is numbered: `sequence` (default), the highest version in the folder plus one; or `timestamp`,
   * the time in UTC as `YYYYMMDDHHMMSS` (`20261203154500`), so that migrations written on two branches at once do not
   * both take the next number. A timestamp not above the highest version there becomes that version plus one.
   */
  readonly versions?: VersionScheme;
  /** The SQL of a migration already written (one `diff` generated), in place of the comment-only placeholders. */
  readonly sql?: { readonly up: string; readonly down: string };
  /** `off`: meta.yaml says `foreign_keys: off`, for a migration that rebuilds tables. */
  readonly foreignKeys?: 'off';
}

/**
 * How `scaffoldMigration` numbers a new migration; see {@link ScaffoldOptions.versions}.
 *
 * @example
 * ```ts
 * const scheme: VersionScheme = 'timestamp'; // 20261203154500_add_tags
 * ```
 */
export type VersionScheme = 'sequence' | 'timestamp';

/** What {@link scaffoldMigration} created. */
export interface ScaffoldResult {
  readonly version: string;
  /** The name as written to disk, lower snake_case. */
  readonly name: string;
  /** The folder name, `004_add_user_tags`, as `Migration.folder` names it. */
  readonly folder: string;
  /** The absolute path of the folder. */
  readonly path: string;
  /** The absolute paths of the files written: up.sql, down.sql, meta.yaml. */
  readonly files: readonly string[];
}

const NAME = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;
const VERSIONED = /^\d+(?:-\d+)*_/;
/** The version of a folder name that starts with one, dashes dropped (see `folderParts`). */
const versionOf = (folder: string) => folder.slice(0, folder.indexOf('_')).replace(/-/g, '');
/** The part after the version. */
const nameOf = (folder: string) => folder.slice(folder.indexOf('_') + 1);

/**
 * Creates the next migration folder: version = the highest version in `dir` plus one, as wide as the widest version
 * there (at least three digits). `name` may be words, kebab-case or camelCase (`"add user tags"`, `addUserTags` →
 * `add_user_tags`); a name still not lower snake_case, or one another migration has, is refused (`INVALID_MIGRATION`).
 * Each dependency must be a version in `dir` (`MISSING_DEPENDENCY`). `dir` is created when missing; nothing that
 * exists is overwritten. up.sql and down.sql hold only comments, which `validate` reports (and `migrate` refuses)
 * until the SQL is written, so an untouched scaffold is never recorded as applied.
 *
 * @example
 * ```ts
 * const { folder, files } = await scaffoldMigration('migrations', 'add user tags', { dependencies: ['001'] });
 * // folder: '004_add_user_tags'; files: [.../up.sql, .../down.sql, .../meta.yaml]
 * ```
 */
export async function scaffoldMigration(dir: string, name: string, options: ScaffoldOptions = {}): Promise<ScaffoldResult> {
  const root = resolve(dir);
  const existing = await existingFolders(root);
  const snake = snakeCase(name);
  const problems: StrataError[] = [];
  const shown = snake === name ? `"${name}"` : `"${name}" (as "${snake}")`;
  const bad = `migration name ${shown} is not lower snake_case: use lower-case letters, digits and single underscores`;
  if (!NAME.test(snake)) problems.push(new StrataError('INVALID_MIGRATION', bad));
  // A name that starts with a version is almost always a folder name typed whole: the version would be doubled.
  else if (VERSIONED.test(snake)) {
    const doubled = `migration name ${shown} starts with a version; give the name alone (${nameOf(snake)}): new numbers the folder`;
    problems.push(new StrataError('INVALID_MIGRATION', doubled));
  }
  const twin = existing.find((f) => nameOf(f) === snake);
  const taken = `a migration named ${snake} already exists (${twin}); choose another name`;
  if (twin !== undefined) problems.push(new StrataError('INVALID_MIGRATION', taken, { file: twin }));
  const dependencies = (options.dependencies ?? []).map((d) => resolveDependency(d.trim(), existing, problems));
  if (problems.length > 0) throw new ValidationError(problems);
  const version = nextVersion(existing, options.versions === 'timestamp' ? (options.now ?? new Date()) : undefined);
  const folder = `${version}_${snake}`;
  const texts = templates(folder, {
    description: options.description ?? snake.charAt(0).toUpperCase() + snake.slice(1).replace(/_/g, ' '),
    dependencies: [...new Set(dependencies)],
    createdAt: (options.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    foreignKeys: options.foreignKeys,
    sql: options.sql,
  });
  // meta.yaml must already be one the parser accepts (a description YAML could not hold would show up here); the
  // SQL files are placeholders for the user to fill in, so their problems are expected.
  const metaFile = `${folder}/meta.yaml`;
  const unparsable = parseMigrationFiles(texts).problems.filter((p) => p.file === metaFile);
  if (unparsable.length > 0) throw new ValidationError(unparsable);
  try {
    makeFolders(root);
  } catch (error) {
    fail('INVALID_OPTION', `migrations folder ${root} cannot be created`, root)(error);
  }
  return { version, name: snake, folder, path: join(root, folder), files: await writeFolder(root, folder, texts) };
}

/** `add user tags`, `add-user-tags`, `addUserTags`, `AddUserTags` → `add_user_tags`. */
function snakeCase(input: string): string {
  return input
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .replace(/_+/g, '_')
    .toLowerCase();
}

/** Folder names in `root` (none when it does not exist yet) that start with a version, valid or not. */
async function existingFolders(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch((error: unknown) =>
    errorCodeOf(error) === 'ENOENT' ? [] : fail('INVALID_OPTION', `migrations folder ${root} cannot be read`, root)(error),
  );
  const folders = entries.filter((e) => (e.isDirectory() || e.isSymbolicLink()) && VERSIONED.test(e.name));
  return folders.map((e) => e.name).sort();
}

/** The highest version plus one, as wide as the widest; with `at`, that time as `YYYYMMDDHHMMSS` when it is higher. */
function nextVersion(existing: readonly string[], at: Date | undefined): string {
  const versions = existing.map(versionOf);
  const highest = versions.reduce((max, v) => (BigInt(v) > max ? BigInt(v) : max), 0n);
  const stamp = at === undefined ? undefined : at.toISOString().replace(/\D/g, '').slice(0, 14);
  if (stamp !== undefined && BigInt(stamp) > highest) return stamp;
  return String(highest + 1n).padStart(Math.max(3, ...versions.map((v) => v.length)), '0');
}

/** The spelling of `dependency` the folder uses (`1` → `001`); else records a problem. */
function resolveDependency(dependency: string, existing: readonly string[], problems: StrataError[]): string {
  const isVersion = /^\d+$/.test(dependency);
  const match = isVersion ? existing.find((f) => BigInt(versionOf(f)) === BigInt(dependency)) : undefined;
  if (match !== undefined) return versionOf(match);
  const message = `the new migration cannot depend on "${dependency}": `;
  if (isVersion) problems.push(new StrataError('MISSING_DEPENDENCY', `${message}no migration has that version`));
  else problems.push(new StrataError('INVALID_OPTION', `${message}it is not a version (digits, such as "001")`));
  return dependency;
}

// Keyed `<folder>/<file>` as the parser takes them. JSON strings are valid YAML double-quoted scalars, so any
// description is quoted safely and "001" stays a string.
function templates(
  folder: string,
  meta: {
    description: string;
    dependencies: string[];
    createdAt: string;
    foreignKeys: 'off' | undefined;
    sql: ScaffoldOptions['sql'];
  },
) {
  const q = (text: string) => JSON.stringify(text);
  const dependencies = meta.dependencies.length === 0 ? '' : `dependencies: [${meta.dependencies.map(q).join(', ')}]\n`;
  const foreignKeys = meta.foreignKeys === 'off' ? 'foreign_keys: off\n' : '';
  const yaml = `description: ${q(meta.description)}\n${dependencies}${foreignKeys}created_at: ${q(meta.createdAt)}\n`;
  if (meta.sql !== undefined) {
    return { [`${folder}/up.sql`]: meta.sql.up, [`${folder}/down.sql`]: meta.sql.down, [`${folder}/meta.yaml`]: yaml };
  }
  return {
    [`${folder}/up.sql`]: `-- ${folder}: up
-- Write the SQL that makes this change below. It runs in one transaction with its history row.
-- Once applied anywhere, do not edit this file: its checksum is recorded, and an edit stops \`migrate\`.
`,
    [`${folder}/down.sql`]: `-- ${folder}: down
-- Write the SQL that undoes up.sql exactly, leaving the schema as it was before up.sql ran.
-- If the change cannot be undone, leave this file without SQL (or delete it): the migration then cannot be rolled back.
`,
    [`${folder}/meta.yaml`]: yaml,
  };
}

/** Creates `root/folder` (refusing one that exists) and writes the files; on failure removes what it created. */
async function writeFolder(root: string, folder: string, texts: Readonly<Record<string, string>>): Promise<string[]> {
  const path = join(root, folder);
  await mkdir(path).catch(fail('INVALID_MIGRATION', `migration folder ${path} cannot be created`, path));
  try {
    for (const [file, text] of Object.entries(texts)) await writeFile(join(root, file), text, { flag: 'wx' });
  } catch (error) {
    await rm(path, { recursive: true, force: true });
    fail('INVALID_MIGRATION', `migration folder ${path} could not be written`, path)(error);
  }
  return Object.keys(texts).map((file) => join(root, file));
}

/** A rejection handler that rethrows a file-system error as a StrataError naming `file`. */
function fail(code: 'INVALID_OPTION' | 'INVALID_MIGRATION', what: string, file: string) {
  return (error: unknown): never => {
    const reason = errorCodeOf(error) === 'EEXIST' ? 'it already exists' : messageOf(error);
    throw new StrataError(code, `${what}: ${reason}`, { file, cause: error });
  };
}
