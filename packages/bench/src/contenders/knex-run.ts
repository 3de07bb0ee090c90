// knex's migrator with its better-sqlite3 client; the pragmas are set in `pool.afterCreate`. Transactions are knex's
// defaults: `migrate.latest()` runs every pending migration in ONE transaction (knex does so when no migration opts
// out), `migrate.rollback(config, true)` rolls each migration back in its own transaction. `.mjs` migrations need
// `loadExtensions: ['.mjs']`, as knex's ESM docs say.
import type { Database } from 'better-sqlite3';
import knex from 'knex';

const [action, layoutDir, dbFile] = process.argv.slice(2);
if ((action !== 'up' && action !== 'down') || layoutDir === undefined || dbFile === undefined) {
  throw new Error('usage: knex-run.js <up|down> <layoutDir> <dbFile>');
}

const db = knex({
  client: 'better-sqlite3',
  connection: { filename: dbFile },
  useNullAsDefault: true,
  pool: {
    afterCreate(connection: Database, done: (error: Error | null, connection: Database) => void) {
      try {
        connection.pragma('journal_mode = WAL');
        connection.pragma('synchronous = NORMAL');
        connection.pragma('foreign_keys = ON');
        done(null, connection);
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)), connection);
      }
    },
  },
});
const config = { directory: layoutDir, loadExtensions: ['.mjs'] };
try {
  if (action === 'up') await db.migrate.latest(config);
  else await db.migrate.rollback(config, true);
} finally {
  await db.destroy();
}
