import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Action, Contender, Invocation } from '../contender.js';
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
  async writeLayout(migrations: readonly CorpusMigration[], dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const migration of migrations) {
      await writeFile(join(dir, `${migration.version}_${migration.name}.mjs`), migrationModule(migration));
    }
  },
  invocation(action: Action, layoutDir: string, db: string): Invocation {
    return {
      file: process.execPath,
      args: [fileURLToPath(new URL('./knex-run.js', import.meta.url)), action, layoutDir, db],
    };
  },
  versions(): Record<string, string> {
    return { knex: toolVersion, 'better-sqlite3': packageVersion('better-sqlite3') };
  },
};
