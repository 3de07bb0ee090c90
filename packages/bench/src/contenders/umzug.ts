import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Action, Contender, Invocation } from '../contender.js';
import type { CorpusMigration } from '../corpus.js';
import { packageVersion } from '../versions.js';

const toolVersion = packageVersion('umzug');

/** One ESM migration for a better-sqlite3 context: synchronous up/down running the corpus statements in order. */
function migrationModule(migration: CorpusMigration): string {
  return `const upStatements = ${JSON.stringify(migration.upStatements)};
const downStatements = ${JSON.stringify(migration.downStatements)};

export function up(db) {
  for (const statement of upStatements) db.prepare(statement).run();
}

export function down(db) {
  for (const statement of downStatements) db.prepare(statement).run();
}
`;
}

/**
 * umzug with a better-sqlite3 connection, a resolver that runs each migration in a better-sqlite3 transaction and a
 * storage table (`umzug_migrations`) in the same database.
 */
export const contender: Contender = {
  id: 'umzug',
  label: `umzug ${toolVersion} (better-sqlite3)`,
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
      args: [fileURLToPath(new URL('./umzug-run.js', import.meta.url)), action, layoutDir, db],
    };
  },
  versions(): Record<string, string> {
    return { umzug: toolVersion, 'better-sqlite3': packageVersion('better-sqlite3') };
  },
};
