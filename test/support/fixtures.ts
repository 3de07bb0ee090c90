import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchError, type Driver, type SqlValue } from '@strata/core';

/** The repository's built-in migrations folder. */
export const BUILT_IN_MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** A fresh temporary folder; call `remove` when done. */
export function makeTempDir(prefix = 'strata-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes `files` (relative path → text) below `dir`. */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** The text of a file below `dir`. */
export function readText(dir: string, path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}

/** Every schema object, as SQLite stores it: what "the schema" means when a test compares before and after. */
export async function schemaOf(driver: Driver): Promise<string[]> {
  const rows = await driver.query<{ type: string; name: string; tbl_name: string; sql: string | null }>(
    'SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name',
  );
  return rows.map((row) => `${row.type} ${row.name} on ${row.tbl_name}: ${row.sql ?? ''}`);
}

/** The names of the user tables. */
export async function tablesOf(driver: Driver): Promise<string[]> {
  const rows = await driver.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  return rows.map((row) => row.name);
}

/** The rows of the history table, oldest first. */
export async function historyOf(
  driver: Driver,
  table = 'schema_migrations',
): Promise<{ version: string; name: string; checksum: string }[]> {
  return driver.query(`SELECT version, name, checksum FROM "${table}" ORDER BY rowid`);
}

/** A driver whose `failOn`-th statement starting with `prefix` fails, for showing that history edits are all or nothing. */
export function failingDriver(driver: Driver, prefix: string, failOn: number): Driver {
  let seen = 0;
  return {
    name: driver.name,
    exec: (sql) => driver.exec(sql),
    query: (sql, params) => driver.query(sql, params),
    run: (sql: string, params?: readonly SqlValue[]) => {
      if (sql.startsWith(prefix) && ++seen === failOn) return Promise.reject(new Error('disk I/O error (simulated)'));
      return driver.run(sql, params);
    },
    inTransaction: () => driver.inTransaction(),
    ...(driver.persist === undefined ? {} : { persist: () => driver.persist?.() ?? Promise.resolve() }),
    ...(driver.batch === undefined ? {} : { batch: failingBatch(driver.batch.bind(driver), prefix, () => ++seen === failOn) }),
    close: () => driver.close(),
  };
}

/** A batch that fails, applying none of its statements, when `fails` says so for a statement starting with `prefix`. */
function failingBatch(batch: NonNullable<Driver['batch']>, prefix: string, fails: () => boolean): NonNullable<Driver['batch']> {
  return (statements) => {
    const index = statements.findIndex((statement) => statement.sql.startsWith(prefix) && fails());
    if (index >= 0) return Promise.reject(new BatchError(index, 'disk I/O error (simulated)'));
    return batch(statements);
  };
}
