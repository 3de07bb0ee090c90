import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Action, Contender, Invocation } from '../contender.js';
import type { CorpusMigration } from '../corpus.js';
import { packageVersion } from '../versions.js';

const toolVersion = packageVersion('kysely');

/**
 * One ESM kysely migration: up/down run the corpus statements one `sql.raw` at a time, in order. The layout lives
 * outside any project, so `sql` is imported from the URL that `kysely` resolves to here — the same module instance the
 * run script gets, as a bare `from 'kysely'` would be in a user's project.
 */
function migrationModule(migration: CorpusMigration, kyselyUrl: string): string {
  return `import { sql } from ${JSON.stringify(kyselyUrl)};

const upStatements = ${JSON.stringify(migration.upStatements)};
const downStatements = ${JSON.stringify(migration.downStatements)};

export async function up(db) {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

export async function down(db) {
  for (const statement of downStatements) await sql.raw(statement).execute(db);
}
`;
}

/** kysely's `Migrator` with `FileMigrationProvider` on `SqliteDialect` (better-sqlite3), one `NNN_name.mjs` each. */
export const contender: Contender = {
  id: 'kysely',
  label: `kysely ${toolVersion} (better-sqlite3)`,
  floor: 'floor-better-sqlite3',
  rollsBack: true,
  async writeLayout(migrations: readonly CorpusMigration[], dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const kyselyUrl = import.meta.resolve('kysely');
    for (const migration of migrations) {
      await writeFile(join(dir, `${migration.version}_${migration.name}.mjs`), migrationModule(migration, kyselyUrl));
    }
  },
  invocation(action: Action, layoutDir: string, db: string): Invocation {
    return {
      file: process.execPath,
      args: [fileURLToPath(new URL('./kysely-run.js', import.meta.url)), action, layoutDir, db],
    };
  },
  versions(): Record<string, string> {
    return { kysely: toolVersion, 'better-sqlite3': packageVersion('better-sqlite3') };
  },
};
