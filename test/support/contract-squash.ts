import { join } from 'node:path';
import {
  type Driver,
  type MigrationFiles,
  MigrationManager,
  parseMigrationFiles,
  planSquash,
  readSchema,
  type SquashPlan,
  StrataError,
  ValidationError,
} from '@strata/core';
import { readMigrationsFolder } from '@strata/core/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS, makeTempDir } from './fixtures.js';

/** Every row of every table (and the AUTOINCREMENT counters), sorted, as JSON: what two databases hold. */
async function rowsOf(driver: Driver, mask: (value: unknown) => unknown = (v) => v): Promise<Record<string, string[]>> {
  const schema = await readSchema(driver, { exclude: ['schema_migrations'] });
  const tables = schema.tables.filter((t) => t.kind === 'table').map((t) => t.name);
  const hasSequence = (await driver.query("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).length > 0;
  const rows: Record<string, string[]> = {};
  for (const table of [...tables, ...(hasSequence ? ['sqlite_sequence'] : [])]) {
    const found = await driver.query(`SELECT * FROM "${table}"`);
    rows[table] = found
      .map((row) =>
        JSON.stringify(
          Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : mask(v)]),
        ),
      )
      .sort();
  }
  return rows;
}

/** The files of a squash plan, keyed as a migrations folder map keys them. */
function filesOf(plan: SquashPlan): Record<string, string> {
  return Object.fromEntries(Object.entries(plan.files).map(([file, text]) => [`${plan.folder}/${file}`, text]));
}

/** The files of `files` without the folders of `folders`. */
function without(files: MigrationFiles, folders: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(files).filter(([path]) => !folders.some((f) => path.startsWith(`${f}/`))));
}

/**
 * A folder of `count` migrations: every tenth creates a table, the others add a column, an index, or rows holding
 * NULL, big integers, reals, blobs and text with quotes, each depending on the one before.
 */
function generatedFolder(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  let table = 0;
  for (let i = 1; i <= count; i++) {
    const version = String(i).padStart(4, '0');
    let up: string;
    if (i % 10 === 1) {
      table++;
      up = `CREATE TABLE t${table} (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL, parent INTEGER REFERENCES t${Math.max(1, table - 1)} (id));`;
    } else if (i % 10 === 2) up = `ALTER TABLE t${table} ADD COLUMN c${i} BLOB;`;
    else if (i % 10 === 3) up = `CREATE INDEX idx_t${table}_${i} ON t${table} (label);`;
    else
      up = `INSERT INTO t${table} (label, parent) VALUES ('it''s ${i}', NULL), ('${i}', ${i % 3 === 0 ? 1 : 'NULL'});\nUPDATE t${table} SET c${i - ((i - 1) % 10) + 1} = X'00ff${(i % 256).toString(16).padStart(2, '0')}' WHERE label = '${i}';\nINSERT INTO t${table} (label) VALUES (CAST(9223372036854775807 - ${i} AS TEXT)), (${i} / 7.0);`;
    files[`${version}_step_${i}/up.sql`] = up;
    files[`${version}_step_${i}/down.sql`] = i % 10 === 1 ? `DROP TABLE t${table};` : 'SELECT 1;';
    if (i > 1) files[`${version}_step_${i}/meta.yaml`] = `dependencies: ["${String(i - 1).padStart(4, '0')}"]\n`;
  }
  return files;
}

/** Squashing a folder, and the databases that meet the squash. A driver's contract test calls this. */
export function describeSquashContract(name: string, open: (path: string) => Promise<Driver>): void {
  describe(`squash: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    const opened: Driver[] = [];
    let count = 0;
    const database = async () => {
      const driver = await open(join(temp.path, `db${++count}.sqlite`));
      opened.push(driver);
      return driver;
    };
    const manager = (driver: Driver, files: MigrationFiles) =>
      new MigrationManager({ driver, migrations: parseMigrationFiles(files) });
    const migrated = async (files: MigrationFiles) => {
      const driver = await database();
      await manager(driver, files).migrate();
      return driver;
    };
    const squash = async (files: MigrationFiles, to: string) => planSquash(await database(), parseMigrationFiles(files), to);
    const builtIn = () => readMigrationsFolder(BUILT_IN_MIGRATIONS);

    beforeEach(() => {
      temp = makeTempDir();
    });
    afterEach(async () => {
      for (const driver of opened.splice(0)) await driver.close();
      temp.remove();
    });

    it('squashes the built-in migrations into one that builds the same schema and rows on a new database', async () => {
      const files = await builtIn();
      const plan = await squash(files, '003');
      expect(plan.folder).toBe('003_squashed');
      expect(plan.replaced.map((m) => m.folder)).toEqual(['001_initial_schema', '003_add_user_preferences']);
      const original = parseMigrationFiles(files).migrations;
      const checksum = (folder: string) => original.find((m) => m.folder === folder)?.checksum;
      expect(plan.files['meta.yaml']).toContain(
        `replaces:\n  - 001 ${checksum('001_initial_schema')}\n  - 003 ${checksum('003_add_user_preferences')}\n`,
      );
      const originals = await migrated(files);
      const squashed = await migrated({
        ...without(files, ['001_initial_schema', '003_add_user_preferences']),
        ...filesOf(plan),
      });
      expect(await readSchema(squashed, { exclude: ['schema_migrations'] })).toEqual(
        await readSchema(originals, { exclude: ['schema_migrations'] }),
      );
      // The seeded rows' timestamps are DEFAULT CURRENT_TIMESTAMP, of when each database ran; every other value is exact.
      const stamp = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(v) ? 'timestamp' : v);
      const rows = await rowsOf(squashed, stamp);
      expect(rows).toEqual(await rowsOf(originals, stamp));
      expect(rows.domains?.length).toBe(5);
      expect(rows.settings?.length).toBe(6);
    });

    it('squashes 1000 generated migrations into one with the same schema and exactly the same rows', {
      timeout: 60_000,
    }, async () => {
      const files = generatedFolder(1000);
      const plan = await squash(files, '1000');
      expect(plan.replaced).toHaveLength(1000);
      const originals = await migrated(files);
      const squashed = await migrated(filesOf(plan));
      expect(await readSchema(squashed, { exclude: ['schema_migrations'] })).toEqual(
        await readSchema(originals, { exclude: ['schema_migrations'] }),
      );
      const rows = await rowsOf(squashed);
      expect(rows).toEqual(await rowsOf(originals));
      expect(rows.t1).toContain(
        JSON.stringify([
          ['id', 1],
          ['label', "it's 4"],
          ['parent', null],
          ['c2', null],
        ]),
      );
      expect(rows.sqlite_sequence?.length).toBe(100);
    });

    it('keeps a database migrated with the originals valid, with the old folders and without, and adopts it once', async () => {
      const files = await builtIn();
      const plan = await squash(files, '003');
      const old = await migrated(files);
      const later = {
        '004_add_notes/up.sql': 'CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));',
        '004_add_notes/down.sql': 'DROP TABLE notes;',
        '004_add_notes/meta.yaml': 'dependencies: ["003", "001"]\n',
      };
      const kept = { ...files, ...filesOf(plan) };
      expect((await manager(old, kept).status()).problems).toEqual([]);
      expect((await manager(old, kept).migrate()).steps).toEqual([]);
      const removed = {
        ...without(
          files,
          plan.replaced.map((m) => m.folder),
        ),
        ...filesOf(plan),
      };
      const status = await manager(old, removed).status();
      expect(status.problems).toEqual([]);
      expect(status.pending).toEqual([]);
      expect((await manager(old, removed).migrate()).steps).toEqual([]);
      const history = await manager(old, removed).applied();
      expect(history.map((row) => [row.version, row.checksum])).toEqual([
        ['001', plan.replaced[0]?.checksum],
        ['002', parseMigrationFiles(files).migrations[1]?.checksum],
        ['003', parseMigrationFiles(filesOf(plan)).migrations[0]?.checksum],
      ]);
      // A later migration, depending on replaced versions, applies and rolls back on the old database and a new one.
      const fresh = await database();
      for (const driver of [old, fresh]) {
        const report = await manager(driver, { ...removed, ...later }).migrate();
        expect(report.steps.map((s) => s.version)).toEqual(driver === old ? ['004'] : ['003', '002', '004']);
        await manager(driver, { ...removed, ...later }).rollback('004');
        expect((await readSchema(driver)).tables.map((t) => t.name)).not.toContain('notes');
        expect((await manager(driver, { ...removed, ...later }).status()).problems).toEqual([]);
      }
    });

    it('finds no drift on a database that ran the originals, whose history lists a replaced version first', async () => {
      const files = await builtIn();
      const plan = await squash(files, '003');
      const old = await migrated(files);
      const removed = {
        ...without(
          files,
          plan.replaced.map((m) => m.folder),
        ),
        ...filesOf(plan),
      };
      for (const set of [{ ...files, ...filesOf(plan) }, removed]) {
        const status = await manager(old, set).status({ drift: true });
        expect([status.problems, status.drift, status.driftSkipped]).toEqual([[], [], undefined]);
      }
      await manager(old, removed).migrate();
      const adopted = await manager(old, removed).status({ drift: true });
      expect([adopted.problems, adopted.drift, adopted.driftSkipped]).toEqual([[], [], undefined]);
      await old.exec('CREATE INDEX idx_by_hand ON users (display_name)');
      expect((await manager(old, removed).status({ drift: true })).drift?.map((d) => d.message)).toEqual([
        'index idx_by_hand added',
      ]);
    });

    it('squashes a squash: databases that ran the originals, the first squash, or neither all stay valid', async () => {
      const files = await builtIn();
      const first = await squash(files, '003');
      const withFirst = { ...files, ...filesOf(first) };
      const old = await migrated(files);
      const middle = await migrated(withFirst);
      const second = await squash(withFirst, '002');
      expect(second.folders).toEqual([
        '003_squashed',
        '002_add_performance_indexes',
        '001_initial_schema',
        '003_add_user_preferences',
      ]);
      const only = filesOf(second);
      expect(second.files['meta.yaml']).toContain(
        `  - 003 ${first.replaced[1]?.checksum}\n  - 003 ${parseMigrationFiles(filesOf(first)).migrations[0]?.checksum}\n`,
      );
      const fresh = await migrated(only);
      for (const driver of [old, middle, fresh]) {
        expect((await manager(driver, only).status()).problems).toEqual([]);
        expect((await manager(driver, only).migrate()).steps).toEqual([]);
        expect(await readSchema(driver, { exclude: ['schema_migrations'] })).toEqual(
          await readSchema(fresh, { exclude: ['schema_migrations'] }),
        );
      }
    });

    it('refuses a database that ran the originals but whose schema differs from the squash', async () => {
      const files = await builtIn();
      const plan = await squash(files, '003');
      const old = await migrated(files);
      await old.exec('DROP INDEX idx_attempts_user_id');
      const removed = {
        ...without(
          files,
          plan.replaced.map((m) => m.folder),
        ),
        ...filesOf(plan),
      };
      const [problem] = (await manager(old, removed).status()).problems;
      expect(problem?.code).toBe('SQUASH_MISMATCH');
      expect(problem?.version).toBe('003');
      expect(problem?.message).toContain('index idx_attempts_user_id removed');
      const refused = await manager(old, removed)
        .migrate()
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).problems.map((p) => p.code)).toEqual(['SQUASH_MISMATCH']);
    });

    it('checks the rows of replaced versions against the recorded checksums once their folders are gone', async () => {
      const files = await builtIn();
      const plan = await squash(files, '003');
      const old = await migrated(files);
      await old.run("UPDATE schema_migrations SET checksum = '00000000000000000000000000000000' WHERE version = '001'");
      const removed = {
        ...without(
          files,
          plan.replaced.map((m) => m.folder),
        ),
        ...filesOf(plan),
      };
      const problems = (await manager(old, removed).status()).problems;
      expect(problems.map((p) => [p.code, p.version])).toEqual([['CHECKSUM_MISMATCH', '001']]);
    });

    it('runs the rest of the originals on a database that ran some, and refuses when their folders are gone', async () => {
      const files = generatedFolder(5);
      const plan = await squash(files, '0005');
      const partial = await database();
      await manager(partial, files).migrate({ to: '0002' });
      const kept = { ...files, ...filesOf(plan) };
      const removed = filesOf(plan);
      const refused = await manager(partial, removed)
        .migrate()
        .catch((error: unknown) => error);
      expect((refused as ValidationError).problems.map((p) => [p.code, p.version])).toEqual([['SQUASH_INCOMPLETE', '0005']]);
      const report = await manager(partial, kept).migrate();
      expect(report.steps.map((s) => s.version)).toEqual(['0003', '0004', '0005']);
      expect((await manager(partial, removed).status()).problems).toEqual([]);
      expect(await rowsOf(partial)).toEqual(await rowsOf(await migrated(removed)));
    });

    it('writes a down.sql only when every replaced migration has one, and it undoes the up.sql', async () => {
      const files = generatedFolder(12);
      const plan = await squash(files, '0012');
      expect(plan.files['down.sql']).toBe('DROP TABLE "t2";\nDROP TABLE "t1";\n');
      const driver = await migrated(filesOf(plan));
      await manager(driver, filesOf(plan)).rollback('0012');
      expect(await readSchema(driver, { exclude: ['schema_migrations'] })).toEqual({
        tables: [],
        indexes: [],
        views: [],
        triggers: [],
      });
      expect(await manager(driver, filesOf(plan)).applied()).toEqual([]);
      const irreversible = without(files, []);
      delete irreversible['0005_step_5/down.sql'];
      expect((await squash(irreversible, '0012')).files['down.sql']).toBeUndefined();
    });

    it('refuses, with a typed error, what it cannot squash', async () => {
      const files = generatedFolder(3);
      const code = (promise: Promise<unknown>) =>
        promise.then(
          () => 'squashed',
          (error: unknown) => (error instanceof StrataError ? [error.code, error.version, error.file] : error),
        );
      expect(await code(squash(files, '0009'))).toEqual(['UNKNOWN_VERSION', '0009', undefined]);
      const outside = { ...files, '0002_step_2/meta.yaml': 'dependencies: ["0001"]\ntransaction: false\n' };
      expect(await code(squash(outside, '0003'))).toEqual(['SQUASH_REFUSED', '0002', '0002_step_2/meta.yaml']);
      const failing = { ...files, '0003_step_3/up.sql': 'CREATE INDEX idx_nope ON nowhere (x);' };
      expect(await code(squash(failing, '0003'))).toEqual(['MIGRATION_FAILED', '0003', '0003_step_3/up.sql']);
      // A folder the squash would take, already there, is a problem of the set.
      expect(await code(squash({ ...files, '0003_squashed/up.sql': 'SELECT 1;' }, '0003'))).toEqual([
        'DUPLICATE_VERSION',
        '0003',
        '0003_squashed',
      ]);
    });
  });
}
