// postgrator over a better-sqlite3 connection this script owns. postgrator has no transactions: each generated file
// wraps its migration in BEGIN/COMMIT, and postgrator records the version in `schemaversion` right after that commit.
// Checksum validation stays on (postgrator's default). `down` is `migrate('0')`.
import Database from 'better-sqlite3';
import Postgrator from 'postgrator';

const [action, layoutDir, dbFile] = process.argv.slice(2);
if ((action !== 'up' && action !== 'down') || layoutDir === undefined || dbFile === undefined) {
  throw new Error('usage: postgrator-run.js <up|down> <layoutDir> <dbFile>');
}

const db = new Database(dbFile);
try {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const postgrator = new Postgrator({
    // migrationPattern is a glob: escape the folder's own glob characters.
    migrationPattern: `${layoutDir.replace(/[*?[\]{}()!\\]/g, '\\$&')}/*`,
    driver: 'sqlite3',
    execQuery: async (query) => {
      const statement = db.prepare(query);
      if (statement.reader) return { rows: statement.all() };
      statement.run();
      return { rows: [] };
    },
    execSqlScript: async (script) => {
      db.exec(script);
    },
  });
  await postgrator.migrate(action === 'up' ? 'max' : '0');
} finally {
  db.close();
}
