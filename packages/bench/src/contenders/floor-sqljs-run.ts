// The floor for sql.js: load the file into memory, apply each pending up.sql (down.sql when rolling back) with its
// bookkeeping row in one transaction, then write the file once, whole and atomically (temporary file, fsync, rename),
// which is the least that keeps it from being torn by a crash.
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import initSqlJs from 'sql.js';

const [action, dir, file] = process.argv.slice(2) as [string, string, string];
const folders = readdirSync(dir).sort();
const SQL = await initSqlJs({ locateFile: () => createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm') });
const db = existsSync(file) ? new SQL.Database(readFileSync(file)) : new SQL.Database();
db.run('PRAGMA foreign_keys = ON');
db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
const applied = new Set((db.exec('SELECT version FROM schema_migrations')[0]?.values ?? []).map((row) => String(row[0])));
let changed = false;

// Applying walks the folders in order, rolling back in reverse; each step runs its script and its bookkeeping row.
const up = action === 'up';
const record = up
  ? db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  : db.prepare('DELETE FROM schema_migrations WHERE version = ?');
for (const folder of up ? folders : folders.reverse()) {
  const sql = readFileSync(join(dir, folder, up ? 'up.sql' : 'down.sql'), 'utf8');
  const version = folder.slice(0, folder.indexOf('_'));
  if (applied.has(version) === up) continue;
  db.run('BEGIN IMMEDIATE');
  db.run(sql);
  record.run(up ? [version, folder.slice(version.length + 1), new Date().toISOString()] : [version]);
  db.run('COMMIT');
  changed = true;
}
record.free();

if (changed || !existsSync(file)) {
  const bytes = db.export();
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  writeSync(fd, bytes);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, file);
}
db.close();
