// The floor for better-sqlite3 on one database file, as a function: the single-file floor script and the tenant
// loop run exactly this. It reads each up.sql (down.sql when rolling back) and runs each pending one with its
// bookkeeping row in one transaction. No validation, no checksums, no dependency graph.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Applies (`up`) or rolls back (`down`) the migration folders `folders` of `dir` (sorted) on the database `file`.
 * With `readsAll`, also lists each folder and reads every file in it, parsing none.
 */
export function floorMigrate(file: string, dir: string, folders: readonly string[], action: string, readsAll = false): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as string[]);

  // Applying walks the folders in order, rolling back in reverse; each step runs its script and its bookkeeping row.
  const up = action === 'up';
  const record = up
    ? db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
    : db.prepare('DELETE FROM schema_migrations WHERE version = ?');
  for (const folder of up ? folders : [...folders].reverse()) {
    if (readsAll) for (const name of readdirSync(join(dir, folder))) readFileSync(join(dir, folder, name), 'utf8');
    const sql = readFileSync(join(dir, folder, up ? 'up.sql' : 'down.sql'), 'utf8');
    const version = folder.slice(0, folder.indexOf('_'));
    if (applied.has(version) === up) continue;
    db.exec('BEGIN IMMEDIATE');
    db.exec(sql);
    if (up) record.run(version, folder.slice(version.length + 1), new Date().toISOString());
    else record.run(version);
    db.exec('COMMIT');
  }
  db.close();
}
