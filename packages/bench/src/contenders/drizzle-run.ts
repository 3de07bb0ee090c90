// drizzle-orm's better-sqlite3 migrator; the pragmas are run on the better-sqlite3 Database handed to drizzle(). The
// migrator runs every pending migration in one transaction (its only mode) and records them in __drizzle_migrations.
// drizzle has no down migrations: `down` is refused.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

const [action, layoutDir, dbFile] = process.argv.slice(2);
if (action !== 'up' || layoutDir === undefined || dbFile === undefined) {
  throw new Error('usage: drizzle-run.js up <layoutDir> <dbFile> (drizzle has no rollback)');
}

const sqlite = new Database(dbFile);
try {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  migrate(drizzle(sqlite), { migrationsFolder: layoutDir });
} finally {
  sqlite.close();
}
