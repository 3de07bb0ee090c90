import { StrataError } from '../errors.js';
import { folderParts } from '../parse/files.js';
import { looseFileTarget } from '../parse/loose-files.js';

/**
 * The problem with a file lying directly in the migrations folder whose name is a migration's with `.sql` after it
 * (`000001_create_users.up.sql`, `20240313170000_create_users.sql`): as the layout of another tool it would never
 * run, and saying nothing would let `migrate` report nothing to do. Undefined for any other file (`README.md`,
 * `schema.sql`), which stays ignored.
 *
 * @example
 * ```ts
 * looseFileProblem('000001_create_users.up.sql')?.message;
 * // '000001_create_users.up.sql lies directly in the migrations folder, so it never runs: …'
 * ```
 */
export function looseFileProblem(name: string): StrataError | undefined {
  const target = looseFileTarget(name);
  const parts = target === undefined ? undefined : folderParts(target.folder);
  if (target === undefined || parts === undefined) return undefined;
  const halves = target.named
    ? ''
    : ` (if it holds both halves, as goose writes them, put the part that undoes it in ${target.folder}/down.sql)`;
  return new StrataError(
    'INVALID_MIGRATION',
    `${name} lies directly in the migrations folder, so it never runs: each migration is a folder with up.sql and down.sql; move it to ${target.folder}/${target.file}${halves}`,
    { version: parts.version, file: name },
  );
}
