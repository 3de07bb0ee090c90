// kysely's Migrator with FileMigrationProvider on SqliteDialect; the pragmas are run on the better-sqlite3 Database
// before it is handed to kysely. Transactions are the Migrator's default for SQLite (transactional DDL): all pending
// migrations, and a rollback to NO_MIGRATIONS, each run in one transaction, under kysely's migration lock table.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { FileMigrationProvider, Kysely, Migrator, NO_MIGRATIONS, SqliteDialect } from 'kysely';

const [action, layoutDir, dbFile] = process.argv.slice(2);
if ((action !== 'up' && action !== 'down') || layoutDir === undefined || dbFile === undefined) {
  throw new Error('usage: kysely-run.js <up|down> <layoutDir> <dbFile>');
}

const database = new Database(dbFile);
database.pragma('journal_mode = WAL');
database.pragma('synchronous = NORMAL');
database.pragma('foreign_keys = ON');
const db = new Kysely<Record<string, never>>({ dialect: new SqliteDialect({ database }) });
try {
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder: layoutDir }) });
  const { error } = action === 'up' ? await migrator.migrateToLatest() : await migrator.migrateTo(NO_MIGRATIONS);
  if (error !== undefined) throw error;
} finally {
  await db.destroy();
}
