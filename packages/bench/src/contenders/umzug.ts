import { type Contender, nodeScript, writeEachMigration } from '../contender.js';
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
  writeLayout: (migrations, dir) =>
    writeEachMigration(migrations, dir, (m) => ({ [`${m.version}_${m.name}.mjs`]: migrationModule(m) })),
  invocation: nodeScript('umzug'),
  versions(): Record<string, string> {
    return { umzug: toolVersion, 'better-sqlite3': packageVersion('better-sqlite3') };
  },
};
