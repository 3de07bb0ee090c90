import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CorpusMigration } from './corpus.js';

/** What a measured process is asked to do: apply every pending migration, or roll every applied one back. */
export type Action = 'up' | 'down';

/** A process to start: an executable and its arguments. Node scripts are started with `process.execPath`. */
export interface Invocation {
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * One migration tool (or floor script) under test. The runner writes its layout once per corpus, then starts
 * `invocation(...)` as a whole process for every measured run and checks the database afterwards.
 */
export interface Contender {
  /** Short stable id, e.g. `strata-better-sqlite3`, `knex`. */
  readonly id: string;
  /** Name shown in BENCHMARKS.md, e.g. `knex 3.3.0 (better-sqlite3)`. */
  readonly label: string;
  /** The floor this contender is compared with. */
  readonly floor: 'floor-better-sqlite3' | 'floor-sqljs';
  /** Set when the contender runs on the schema corpora only, not on the data-heavy migration. */
  readonly schemaOnly?: true;
  /** Whether the tool can roll back every applied migration in one process; when not, *rollback all* is n/a. */
  readonly rollsBack: boolean;
  /** Writes this tool's own file layout for the migrations into an empty folder. */
  writeLayout(migrations: readonly CorpusMigration[], dir: string): Promise<void>;
  /** The process that applies (`up`) or rolls back (`down`) everything in `layoutDir` on the database file `db`. */
  invocation(action: Action, layoutDir: string, db: string): Invocation;
  /** Versions of the tool and its SQLite library, for the report. */
  versions(): Record<string, string>;
}

/** The invocation of a script beside the contenders, run by Node: `<name>-run.js <action> <layoutDir> <db>`. */
export function nodeScript(name: string): Contender['invocation'] {
  const script = fileURLToPath(new URL(`./contenders/${name}-run.js`, import.meta.url));
  return (action, layoutDir, db) => ({ file: process.execPath, args: [script, action, layoutDir, db] });
}

/** Writes, into `dir`, the files `filesOf` gives for each migration (file name → text). */
export async function writeEachMigration(
  migrations: readonly CorpusMigration[],
  dir: string,
  filesOf: (migration: CorpusMigration) => Record<string, string>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const migration of migrations) {
    for (const [name, text] of Object.entries(filesOf(migration))) await writeFile(join(dir, name), text);
  }
}
