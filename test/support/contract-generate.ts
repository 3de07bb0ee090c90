import { join } from 'node:path';
import {
  canonicalSql,
  type Driver,
  diffSchemas,
  MigrationManager,
  planSchemaChange,
  readSchema,
  type SchemaChangeOptions,
  type SchemaModel,
  StrataError,
} from '@strata/core';
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { makeTempDir } from './fixtures.js';

const EXCLUDE = { exclude: ['schema_migrations'] };

/** Every table's CREATE TABLE, normalised: what diffSchemas does not compare (CHECK constraints, collations). */
const definitions = (schema: SchemaModel) => schema.tables.map((t) => [t.name.toLowerCase(), canonicalSql(t.create ?? '')]);

/** What the engine under a driver cannot do, which the generation contract then asserts otherwise. */
export interface GenerateContractOptions {
  /**
   * The engine enforces foreign keys on every connection and applies each migration as one atomic batch (libSQL), so
   * it cannot turn them off around a rebuild: a `foreign_keys: off` migration is refused (`NOT_SUPPORTED`) before
   * anything runs. A case whose plan needs it asserts that refusal, and the rest of it is skipped.
   */
  readonly foreignKeysAlwaysOn?: boolean;
}

/**
 * `planSchemaChange`: each kind of change applied by `migrate` to a database at schema A holding rows reaches
 * schema B with the rows kept and `foreign_key_check` clean, and down.sql brings back A. A driver's contract test
 * calls this.
 */
export function describeGenerateContract(
  name: string,
  open: (path: string) => Promise<Driver>,
  engine: GenerateContractOptions = {},
): void {
  describe(`schema change generation: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let driver: Driver;
    let context: TestContext;
    beforeEach(async (test) => {
      context = test;
      temp = makeTempDir();
      driver = await open(join(temp.path, 'app.db'));
    });
    afterEach(async () => {
      await driver.close();
      temp.remove();
    });

    const schemaOfSql = async (sql: string) => {
      const scratch = await (driver.scratch?.() ?? Promise.reject(new Error('no scratch')));
      try {
        await scratch.exec(sql);
        return await readSchema(scratch);
      } finally {
        await scratch.close();
      }
    };

    /** Builds A with `seed`, plans A → B, migrates and checks B, rolls back and checks A; returns the plan. */
    const roundTrip = async (a: string, b: string, seed: string, options: SchemaChangeOptions = {}) => {
      await driver.exec(a);
      await driver.exec(seed);
      const before = await readSchema(driver);
      const wanted = await schemaOfSql(b);
      const change = planSchemaChange(before, wanted, options);
      expect(change.up).not.toBe('');
      const meta = change.foreignKeysOff ? 'foreign_keys: off\n' : 'description: "generated"\n';
      const manager = new MigrationManager({
        driver,
        migrations: { '001_change/up.sql': change.up, '001_change/down.sql': change.down, '001_change/meta.yaml': meta },
      });
      if (change.foreignKeysOff && engine.foreignKeysAlwaysOn === true) {
        await expect(manager.migrate()).rejects.toMatchObject({ code: 'NOT_SUPPORTED', file: '001_change/meta.yaml' });
        expect(await readSchema(driver)).toEqual(before);
        context.skip('the rebuild needs foreign_keys: off, which this engine refuses (asserted)');
      }
      await manager.migrate();
      const after = await readSchema(driver, EXCLUDE);
      expect(diffSchemas(wanted, after).map((d) => d.message)).toEqual([]);
      expect(definitions(after)).toEqual(definitions(wanted));
      expect(await driver.query('PRAGMA foreign_key_check')).toEqual([]);
      const rowsAfter = async (sql: string) => driver.query(sql);
      const undo = async () => {
        await manager.rollback('001');
        const back = await readSchema(driver, EXCLUDE);
        expect(diffSchemas(before, back).map((d) => d.message)).toEqual([]);
        expect(definitions(back)).toEqual(definitions(before));
      };
      return { change, rows: rowsAfter, undo };
    };

    it('adds a nullable column with ADD COLUMN, keeping the rows', async () => {
      const { change, rows, undo } = await roundTrip(
        'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
        'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);',
        "INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x');",
      );
      expect(change.up).toBe('ALTER TABLE "users" ADD COLUMN name TEXT;\n');
      expect(change.down).toBe('ALTER TABLE "users" DROP COLUMN "name";\n');
      expect(change.foreignKeysOff).toBe(false);
      expect(change.warnings).toEqual([]);
      expect(change.differences.map((d) => d.message)).toEqual(['table users: column name TEXT added']);
      expect(await rows('SELECT id, email, name FROM users ORDER BY id')).toEqual([
        { id: 1, email: 'a@x', name: null },
        { id: 2, email: 'b@x', name: null },
      ]);
      await undo();
      expect(await rows('SELECT id, email FROM users ORDER BY id')).toEqual([
        { id: 1, email: 'a@x' },
        { id: 2, email: 'b@x' },
      ]);
    });

    it('adds a NOT NULL column with a default with ADD COLUMN', async () => {
      const { change, rows, undo } = await roundTrip(
        'CREATE TABLE users (id INTEGER PRIMARY KEY);',
        "CREATE TABLE users (id INTEGER PRIMARY KEY, role TEXT NOT NULL DEFAULT 'member');",
        'INSERT INTO users VALUES (1);',
      );
      expect(change.up).toBe(`ALTER TABLE "users" ADD COLUMN role TEXT NOT NULL DEFAULT 'member';\n`);
      expect(await rows('SELECT id, role FROM users')).toEqual([{ id: 1, role: 'member' }]);
      await undo();
    });

    it('drops a plain column with DROP COLUMN, and one in an index and a CHECK by a rebuild, only with allowDrop', async () => {
      const a = 'CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT CHECK (b <> c), c TEXT);';
      const seed = "INSERT INTO t VALUES (1, 'x', 'y', 'z');";
      await driver.exec(a);
      const from = await readSchema(driver);
      const to = await schemaOfSql('CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT CHECK (b <> c), c TEXT);');
      expect(() => planSchemaChange(from, to)).toThrow(
        new StrataError(
          'DESTRUCTIVE_CHANGE',
          'the new schema drops column t.a, whose rows or values would be lost: pass --allow-drop to write the drop',
        ),
      );
      await driver.exec('DROP TABLE t');
      const simple = await roundTrip(a, 'CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT CHECK (b <> c), c TEXT);', seed, {
        allowDrop: true,
      });
      expect(simple.change.up).toBe('-- table t: column a is dropped: its values are lost\n\nALTER TABLE "t" DROP COLUMN "a";\n');
      expect(simple.change.warnings).toEqual(['table t: column a is dropped: its values are lost']);
      expect(await simple.rows('SELECT id, b, c FROM t')).toEqual([{ id: 1, b: 'y', c: 'z' }]);
      await simple.undo();
      expect(await simple.rows('SELECT id, a, b, c FROM t')).toEqual([{ id: 1, a: null, b: 'y', c: 'z' }]);
    });

    it('drops a column a CHECK names by a rebuild, with foreign keys off', async () => {
      const { change, rows, undo } = await roundTrip(
        'CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT CHECK (b <> c), c TEXT);',
        'CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT);',
        "INSERT INTO t VALUES (1, 'y', 'z');",
        { allowDrop: true },
      );
      expect(change.up).toContain('CREATE TABLE "t_strata_new" (id INTEGER PRIMARY KEY, b TEXT);\n');
      expect(change.up).toContain('INSERT INTO "t_strata_new" ("id", "b") SELECT "id", "b" FROM "t";\n');
      expect(change.foreignKeysOff).toBe(true);
      expect(await rows('SELECT * FROM t')).toEqual([{ id: 1, b: 'y' }]);
      await undo();
    });

    it('renames a column and a table with ALTER TABLE, and refuses to guess without the rename', async () => {
      const a = 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);';
      const b = 'CREATE TABLE people (id INTEGER PRIMARY KEY, mail TEXT NOT NULL);';
      await driver.exec(a);
      const from = await readSchema(driver);
      const to = await schemaOfSql(b);
      expect(() => planSchemaChange(from, to)).toThrow(
        new StrataError(
          'AMBIGUOUS_CHANGE',
          'table users disappears while table people appears: a rename or a drop? Say which with --rename users=people, or --allow-drop to drop and create',
        ),
      );
      expect(() => planSchemaChange(from, to, { renames: [{ table: 'users', to: 'people' }] })).toThrow(
        new StrataError(
          'AMBIGUOUS_CHANGE',
          'table users: column email disappears while column mail appears: a rename or a drop? Say which with --rename users.email=mail, or --allow-drop to drop and create',
        ),
      );
      await driver.exec('DROP TABLE users');
      const renames = [
        { table: 'users', to: 'people' },
        { table: 'users', column: 'email', to: 'mail' },
      ];
      const { change, rows, undo } = await roundTrip(a, b, "INSERT INTO users VALUES (1, 'a@x');", { renames });
      expect(change.up).toBe('ALTER TABLE "users" RENAME TO "people";\nALTER TABLE "people" RENAME COLUMN "email" TO "mail";\n');
      expect(change.down).toBe('ALTER TABLE "people" RENAME TO "users";\nALTER TABLE "users" RENAME COLUMN "mail" TO "email";\n');
      expect(await rows('SELECT * FROM people')).toEqual([{ id: 1, mail: 'a@x' }]);
      await undo();
      expect(await rows('SELECT * FROM users')).toEqual([{ id: 1, email: 'a@x' }]);
    });

    const rebuilds: [string, string, string, string][] = [
      [
        'changes a type',
        'CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT);',
        'CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);',
        "INSERT INTO t VALUES (1, '7');",
      ],
      [
        'adds NOT NULL',
        'CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT);',
        'CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT NOT NULL);',
        "INSERT INTO t VALUES (1, 'x');",
      ],
      [
        'changes a default',
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT DEFAULT 'a');",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT DEFAULT 'b');",
        "INSERT INTO t VALUES (1, 'x');",
      ],
      [
        'adds a CHECK',
        'CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT);',
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT CHECK (n <> ''));",
        "INSERT INTO t VALUES (1, 'x');",
      ],
      [
        'drops a CHECK',
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT, CHECK (n <> ''));",
        'CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT);',
        "INSERT INTO t VALUES (1, 'x');",
      ],
      [
        'adds STRICT',
        'CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT);',
        'CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT) STRICT;',
        "INSERT INTO t VALUES (1, 'x');",
      ],
      [
        'adds WITHOUT ROWID',
        'CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT);',
        'CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT) WITHOUT ROWID;',
        "INSERT INTO t VALUES (1, 'x');",
      ],
    ];
    const WARNINGS: Readonly<Record<string, readonly string[]>> = {
      'changes a type': ['table t: column n changes type TEXT → INTEGER: SQLite converts the values it can'],
      'adds NOT NULL': ['table t: column n becomes NOT NULL: copying the rows fails if one holds NULL'],
      'adds STRICT': ["table t becomes STRICT: copying the rows fails if a value does not fit its column's type"],
    };
    for (const [what, a, b, seed] of rebuilds) {
      it(`${what} by a rebuild that keeps the rows`, async () => {
        const { change, rows, undo } = await roundTrip(a, b, seed);
        expect(change.up).toContain('ALTER TABLE "t_strata_new" RENAME TO "t";\n');
        expect(change.foreignKeysOff).toBe(true);
        expect(change.warnings).toEqual(WARNINGS[what] ?? []);
        expect((await rows('SELECT id, n FROM t')).length).toBe(1);
        await undo();
        expect((await rows('SELECT id, n FROM t')).length).toBe(1);
      });
    }

    it('adds, changes and drops a foreign key by rebuilding the child', async () => {
      const parent = 'CREATE TABLE users (id INTEGER PRIMARY KEY);';
      for (const [a, b] of [
        [
          'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER);',
          'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));',
        ],
        [
          'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));',
          'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE);',
        ],
        [
          'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE);',
          'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER);',
        ],
      ] as const) {
        const { change, rows, undo } = await roundTrip(
          `${parent}\n${a}`,
          `${parent}\n${b}`,
          'INSERT INTO users VALUES (1); INSERT INTO posts VALUES (10, 1);',
        );
        expect(change.up).toContain('CREATE TABLE "posts_strata_new"');
        expect(await rows('SELECT * FROM posts')).toEqual([{ id: 10, user_id: 1 }]);
        await undo();
        await driver.exec('DROP TABLE posts; DROP TABLE users; DROP TABLE schema_migrations;');
      }
    });

    it('rebuilds a parent whose children have rows without losing one, and remakes its view, trigger and indexes', async () => {
      const a = [
        'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);',
        'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE);',
        'CREATE INDEX idx_users_email ON users (email);',
        'CREATE VIEW user_posts AS SELECT users.email, posts.id FROM users JOIN posts ON posts.user_id = users.id;',
        'CREATE VIEW post_count AS SELECT count(*) AS n FROM user_posts;',
        'CREATE TRIGGER users_lower AFTER INSERT ON users BEGIN UPDATE users SET email = lower(new.email) WHERE id = new.id; END;',
      ].join('\n');
      const b = a.replace('email TEXT)', 'email TEXT NOT NULL)');
      const { change, rows, undo } = await roundTrip(
        a,
        b,
        "INSERT INTO users VALUES (1, 'a@x'); INSERT INTO posts VALUES (10, 1), (11, 1);",
      );
      expect(change.up.indexOf('DROP VIEW "post_count"')).toBeLessThan(change.up.indexOf('DROP VIEW "user_posts"'));
      expect(change.up.indexOf('CREATE VIEW user_posts')).toBeLessThan(change.up.indexOf('CREATE VIEW post_count'));
      expect(change.warnings).toEqual(['table users: column email becomes NOT NULL: copying the rows fails if one holds NULL']);
      expect(await rows('SELECT * FROM posts ORDER BY id')).toEqual([
        { id: 10, user_id: 1 },
        { id: 11, user_id: 1 },
      ]);
      expect(await rows('SELECT n FROM post_count')).toEqual([{ n: 2 }]);
      await driver.exec("INSERT INTO users VALUES (2, 'B@X')");
      expect(await rows('SELECT email FROM users WHERE id = 2')).toEqual([{ email: 'b@x' }]);
      await undo();
      expect(await rows('SELECT count(*) AS n FROM posts')).toEqual([{ n: 2 }]);
    });

    it('renames a parent table with ALTER TABLE alone: its child keeps its rows and its key follows', async () => {
      const child = (parent: string) => `CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES ${parent}(id));`;
      const { change, rows, undo } = await roundTrip(
        `CREATE TABLE users (id INTEGER PRIMARY KEY);\n${child('users')}`,
        `CREATE TABLE people (id INTEGER PRIMARY KEY);\n${child('people')}`,
        'INSERT INTO users VALUES (1); INSERT INTO posts VALUES (10, 1);',
        { renames: [{ table: 'users', to: 'people' }] },
      );
      expect(change.up).toBe('ALTER TABLE "users" RENAME TO "people";\n');
      expect(change.foreignKeysOff).toBe(false);
      expect(await rows('SELECT id, user_id FROM posts')).toEqual([{ id: 10, user_id: 1 }]);
      await undo();
    });

    it('drops and creates a changed virtual table, with a warning', async () => {
      const { change, undo } = await roundTrip(
        'CREATE VIRTUAL TABLE notes USING fts4(body);',
        'CREATE VIRTUAL TABLE notes USING fts4(body, title);',
        "INSERT INTO notes (body) VALUES ('hello');",
      );
      expect(change.warnings).toEqual(['virtual table notes is dropped and created again: its rows are lost']);
      expect(change.up).toContain('DROP TABLE "notes";\nCREATE VIRTUAL TABLE notes USING fts4(body, title);\n');
      await undo();
    });

    it('adds and drops unique and partial indexes with CREATE INDEX and DROP INDEX alone', async () => {
      const table = 'CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT, m TEXT);';
      const { change, undo } = await roundTrip(
        `${table}\nCREATE INDEX idx_old ON t (m);`,
        `${table}\nCREATE UNIQUE INDEX idx_n ON t (n);\nCREATE INDEX idx_m ON t (m) WHERE m IS NOT NULL;`,
        "INSERT INTO t VALUES (1, 'a', 'b');",
      );
      expect(change.up).toBe(
        'DROP INDEX "idx_old";\nCREATE INDEX idx_m ON t (m) WHERE m IS NOT NULL;\nCREATE UNIQUE INDEX idx_n ON t (n);\n',
      );
      await undo();
    });

    it('plans nothing for the same schema', async () => {
      await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY); CREATE VIEW v AS SELECT id FROM t;');
      const schema = await readSchema(driver);
      expect(
        planSchemaChange(
          schema,
          await schemaOfSql('create table "t" ( id integer primary key ); create view v as select id from t;'),
        ),
      ).toEqual({
        up: '',
        down: '',
        foreignKeysOff: false,
        warnings: [],
        differences: [],
      });
    });
  });
}
