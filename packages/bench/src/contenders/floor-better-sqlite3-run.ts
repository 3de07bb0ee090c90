// The floor for better-sqlite3: the least a script must do to apply the same migrations. It lists the migration
// folders, reads each up.sql (down.sql when rolling back), and runs each pending one with its bookkeeping row in one
// transaction. No validation, no checksums, no dependency graph: whatever Strata costs beyond this is its overhead.
// With STRATA_FLOOR_READS=all it also lists each folder and reads every file in it, parsing none: the reading that
// checking a migration's up.sql, down.sql and meta.yaml cannot do without, as a reference.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const [action, dir, file] = process.argv.slice(2) as [string, string, string];
const folders = readdirSync(dir).sort();
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as string[]);

// Applying walks the folders in order, rolling back in reverse; each step runs its script and its bookkeeping row.
const up = action === 'up';
const record = up
  ? db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  : db.prepare('DELETE FROM schema_migrations WHERE version = ?');
const readsAll = process.env.STRATA_FLOOR_READS === 'all';
for (const folder of up ? folders : folders.reverse()) {
  if (readsAll) for (const file of readdirSync(join(dir, folder))) readFileSync(join(dir, folder, file), 'utf8');
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
