import { type Contender, nodeScript, writeEachMigration } from '../contender.js';
import type { CorpusMigration } from '../corpus.js';
import { packageVersion } from '../versions.js';

const toolVersion = packageVersion('knex');

/** One ESM knex migration: up/down run the corpus statements one `knex.raw` at a time, in order. */
function migrationModule(migration: CorpusMigration): string {
  return `const upStatements = ${JSON.stringify(migration.upStatements)};
const downStatements = ${JSON.stringify(migration.downStatements)};

export async function up(knex) {
  for (const statement of upStatements) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of downStatements) await knex.raw(statement);
}
`;
}

/** knex's migrator on its `better-sqlite3` client, with one generated `NNN_name.mjs` per migration. */
export const contender: Contender = {
  id: 'knex',
  label: `knex ${toolVersion} (better-sqlite3)`,
  floor: 'floor-better-sqlite3',
  rollsBack: true,
  writeLayout: (migrations, dir) =>
    writeEachMigration(migrations, dir, (m) => ({ [`${m.version}_${m.name}.mjs`]: migrationModule(m) })),
  invocation: nodeScript('knex'),
  versions(): Record<string, string> {
    return { knex: toolVersion, 'better-sqlite3': packageVersion('better-sqlite3') };
  },
};
