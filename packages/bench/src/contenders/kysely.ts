import { type Contender, nodeScript, writeEachMigration } from '../contender.js';
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
  writeLayout(migrations, dir) {
    const kyselyUrl = import.meta.resolve('kysely');
    return writeEachMigration(migrations, dir, (m) => ({ [`${m.version}_${m.name}.mjs`]: migrationModule(m, kyselyUrl) }));
  },
  invocation: nodeScript('kysely'),
  versions(): Record<string, string> {
    return { kysely: toolVersion, 'better-sqlite3': packageVersion('better-sqlite3') };
  },
};
