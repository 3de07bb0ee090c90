// umzug over a better-sqlite3 connection this script owns. The resolver imports a migration's module when it runs and
// calls its up/down inside `db.transaction(...)`, one transaction per migration; umzug then records it through the
// custom storage (table `umzug_migrations`), outside that transaction, as umzug's storages do. Logging is off.
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Umzug } from 'umzug';

const [action, layoutDir, dbFile] = process.argv.slice(2);
if ((action !== 'up' && action !== 'down') || layoutDir === undefined || dbFile === undefined) {
  throw new Error('usage: umzug-run.js <up|down> <layoutDir> <dbFile>');
}

type Step = (db: Database.Database) => void;

async function loadStep(path: string, direction: 'up' | 'down'): Promise<Step> {
  const module: unknown = await import(pathToFileURL(path).href);
  const step: unknown = typeof module === 'object' && module !== null ? Reflect.get(module, direction) : undefined;
  if (typeof step !== 'function') throw new Error(`${path} does not export a function ${direction}`);
  return (db) => {
    Reflect.apply(step, undefined, [db]);
  };
}

const db = new Database(dbFile);
try {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE IF NOT EXISTS umzug_migrations (name TEXT PRIMARY KEY NOT NULL)');
  const selectExecuted = db.prepare<[], string>('SELECT name FROM umzug_migrations ORDER BY name').pluck();
  const insertExecuted = db.prepare<[string]>('INSERT INTO umzug_migrations (name) VALUES (?)');
  const deleteExecuted = db.prepare<[string]>('DELETE FROM umzug_migrations WHERE name = ?');

  const umzug = new Umzug({
    migrations: {
      glob: ['*.mjs', { cwd: layoutDir }],
      resolve: ({ name, path }) => {
        if (path === undefined) throw new Error(`${name} has no file`);
        return {
          name,
          path,
          up: async () => {
            const step = await loadStep(path, 'up');
            db.transaction(step)(db);
          },
          down: async () => {
            const step = await loadStep(path, 'down');
            db.transaction(step)(db);
          },
        };
      },
    },
    context: db,
    storage: {
      executed: async () => selectExecuted.all(),
      logMigration: async ({ name }) => {
        insertExecuted.run(name);
      },
      unlogMigration: async ({ name }) => {
        deleteExecuted.run(name);
      },
    },
    logger: undefined,
  });
  if (action === 'up') await umzug.up();
  else await umzug.down({ to: 0 });
} finally {
  db.close();
}
