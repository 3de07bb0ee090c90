import { join } from 'node:path';
import { type Driver, diffSchemas, readSchema } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectPlainData } from './contract-stats.js';
import { makeTempDir } from './fixtures.js';

/** Every kind of object the schema model holds, written one way. */
const EVERY_KIND = `
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT DEFAULT 'anon',
  slug TEXT GENERATED ALWAYS AS (lower(name)) VIRTUAL) STRICT;
CREATE TABLE tags (user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, label TEXT NOT NULL,
  PRIMARY KEY (user_id, label)) WITHOUT ROWID;
CREATE UNIQUE INDEX idx_users_lower_email ON users (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX idx_tags_label ON tags (label DESC);
CREATE VIEW named_users AS SELECT id, name FROM users WHERE name <> 'anon';
CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE users SET name = name WHERE id = new.id; END;
CREATE VIRTUAL TABLE notes USING fts4(body);
CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at DATETIME NOT NULL, checksum TEXT NOT NULL, duration_ms INTEGER);
`;

/** The same schema, spaced, quoted and cased otherwise. */
const EVERY_KIND_RESPELLED = `
create table "users" ( "id" integer primary key , [email] text not null unique ,
  name text default 'anon', slug text generated always as ( LOWER( name ) ) virtual ) strict ;
create table tags(user_id integer not null references "users"("id") on delete cascade,label text not null,primary key(user_id,label))without rowid;
create unique index "idx_users_lower_email" on users(LOWER(email)) where email is not null;
create index idx_tags_label on "tags" (label desc);
create view named_users as select id,name from users where name<>'anon';
create trigger users_touch after update on users begin update users set name=name where id=new.id; end;
create virtual table notes using fts4(body);
`;

/** `readSchema` and `diffSchemas` on a real database. A driver's contract test calls this. */
export function describeSchemaContract(name: string, open: (path: string) => Promise<Driver>): void {
  describe(`schema model: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    const opened: Driver[] = [];
    const database = async (file: string, sql: string) => {
      const driver = await open(join(temp.path, file));
      opened.push(driver);
      await driver.exec(sql);
      return driver;
    };
    beforeEach(() => {
      temp = makeTempDir();
    });
    afterEach(async () => {
      for (const driver of opened.splice(0)) await driver.close();
      temp.remove();
    });

    it('reads every kind of object, leaving out the history table, SQLite’s own tables and shadow tables', async () => {
      const schema = await readSchema(await database('a.db', EVERY_KIND), { exclude: ['schema_migrations'] });
      expectPlainData(schema);
      expect(schema.tables.map((t) => [t.name, t.kind, t.strict, t.withoutRowid])).toEqual([
        ['notes', 'virtual', false, false],
        ['tags', 'table', false, true],
        ['users', 'table', true, false],
      ]);
      const users = schema.tables.find((t) => t.name === 'users');
      expect(users?.columns).toEqual([
        { name: 'id', type: 'INTEGER', notNull: false, default: null, primaryKey: 1, hidden: 0 },
        { name: 'email', type: 'TEXT', notNull: true, default: null, primaryKey: 0, hidden: 0 },
        { name: 'name', type: 'TEXT', notNull: false, default: "'anon'", primaryKey: 0, hidden: 0 },
        { name: 'slug', type: 'TEXT', notNull: false, default: null, primaryKey: 0, hidden: 2 },
      ]);
      expect(schema.tables.find((t) => t.name === 'tags')?.foreignKeys).toEqual([
        { columns: ['user_id'], table: 'users', to: ['id'], onUpdate: 'NO ACTION', onDelete: 'CASCADE', match: 'NONE' },
      ]);
      expect(schema.tables.find((t) => t.name === 'notes')?.sql).toBe('create virtual table notes using fts4(body)');
      expect(schema.indexes).toEqual([
        {
          name: 'idx_tags_label',
          table: 'tags',
          unique: false,
          columns: ['label desc'],
          where: null,
          create: 'CREATE INDEX idx_tags_label ON tags (label DESC)',
        },
        {
          name: 'idx_users_lower_email',
          table: 'users',
          unique: true,
          columns: ['lower(email)'],
          where: 'email is not null',
          create: 'CREATE UNIQUE INDEX idx_users_lower_email ON users (lower(email)) WHERE email IS NOT NULL',
        },
      ]);
      expect(schema.views.map((v) => v.sql)).toEqual(["create view named_users as select id,name from users where name<>'anon'"]);
      expect(schema.triggers.map((t) => [t.name, t.table])).toEqual([['users_touch', 'users']]);
    });

    it('reads differently spaced, quoted and cased statements of one schema as the same schema', async () => {
      const a = await readSchema(await database('a.db', EVERY_KIND), { exclude: ['schema_migrations'] });
      const b = await readSchema(await database('b.db', EVERY_KIND_RESPELLED));
      expect(diffSchemas(a, b)).toEqual([]);
    });

    it('says in a sentence each way two schemas differ', async () => {
      const a = await readSchema(await database('a.db', EVERY_KIND), { exclude: ['schema_migrations'] });
      const changed = await database('b.db', EVERY_KIND);
      await changed.exec(`
        ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
        DROP INDEX idx_tags_label;
        DROP VIEW named_users;
        CREATE VIEW named_users AS SELECT id FROM users;
        CREATE TABLE audit (id INTEGER PRIMARY KEY);
      `);
      const b = await readSchema(changed, { exclude: ['schema_migrations'] });
      expect(diffSchemas(a, b).map((d) => d.message)).toEqual([
        'table audit added',
        'table users: column phone TEXT NOT NULL added',
        'index idx_tags_label removed',
        "view named_users: definition changed: create view named_users as select id,name from users where name<>'anon' → create view named_users as select id from users",
      ]);
      expect(diffSchemas(b, a).map((d) => [d.kind, d.name, d.change])).toEqual([
        ['table', 'audit', 'removed'],
        ['table', 'users', 'changed'],
        ['index', 'idx_tags_label', 'added'],
        ['view', 'named_users', 'changed'],
      ]);
    });
  });
}
