import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action, Contender } from '../dist/contender.js';
import { contender as dbmate } from '../dist/contenders/dbmate.js';
import { contender as drizzle } from '../dist/contenders/drizzle.js';
import { contender as knex } from '../dist/contenders/knex.js';
import { contender as kysely } from '../dist/contenders/kysely.js';
import { contender as postgrator } from '../dist/contenders/postgrator.js';
import { contender as umzug } from '../dist/contenders/umzug.js';
import { dataCorpus, schemaCorpus } from '../dist/corpus.js';

const run = promisify(execFile);
const CONTENDERS: readonly Contender[] = [postgrator, knex, umzug, kysely, drizzle, dbmate];
const TABLES = Array.from({ length: 12 }, (_, index) => `t_${String(index + 1).padStart(5, '0')}`);

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-bench-tools-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs the contender's process; node run scripts must print nothing (dbmate's binary logs progress on stdout). */
async function invoke(contender: Contender, action: Action, layoutDir: string, db: string): Promise<void> {
  const invocation = contender.invocation(action, layoutDir, db);
  const { stdout, stderr } = await run(invocation.file, [...invocation.args], {
    env: { ...process.env, ...invocation.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(stderr).toBe('');
  if (contender.id !== 'dbmate') expect(stdout).toBe('');
}

function inspect<T>(db: string, read: (database: Database.Database) => T): T {
  const database = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return read(database);
  } finally {
    database.close();
  }
}

function corpusObjects(database: Database.Database): string[] {
  return database
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE name LIKE 't\\_%' ESCAPE '\\' ORDER BY name")
    .pluck()
    .all();
}

function expectSchemaApplied(db: string): void {
  inspect(db, (database) => {
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = database
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 't\\_%' ESCAPE '\\' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(TABLES);
    for (const table of TABLES) {
      expect(database.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get()).toBe(10);
    }
    const trigger = database
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = 't_00010_touch'")
      .pluck()
      .get();
    expect(trigger).toBe('t_00010_touch');
  });
}

describe.concurrent.each(CONTENDERS.map((contender) => [contender.id, contender] as const))('%s', (id, contender) => {
  it('applies schema-12, re-runs as a no-op and rolls everything back', async () => {
    const dir = join(root, `${id}-schema`);
    const layout = join(dir, 'layout');
    const db = join(dir, 'db.sqlite');
    await contender.writeLayout(schemaCorpus(12).migrations, layout);

    await invoke(contender, 'up', layout, db);
    expectSchemaApplied(db);
    await invoke(contender, 'up', layout, db);
    expectSchemaApplied(db);

    if (contender.rollsBack) {
      await invoke(contender, 'down', layout, db);
      expect(inspect(db, corpusObjects)).toEqual([]);
    } else {
      expect(() => contender.invocation('down', layout, db)).toThrow();
    }
  });

  it('applies data-200k', async () => {
    const dir = join(root, `${id}-data`);
    const layout = join(dir, 'layout');
    const db = join(dir, 'db.sqlite');
    await contender.writeLayout(dataCorpus().migrations, layout);
    await invoke(contender, 'up', layout, db);
    expect(inspect(db, (database) => database.prepare<[], number>('SELECT count(*) FROM t_events').pluck().get())).toBe(200_000);
  });

  it('names its version and SQLite library', () => {
    expect(contender.label).toMatch(/^[a-z-]+ \d+\.\d+\.\d+ \(/);
    expect(Object.values(contender.versions()).every((version) => /^\d+\.\d+\.\d+/.test(version))).toBe(true);
  });
});
