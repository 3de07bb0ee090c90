import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Driver, MigrationManager, type MigrationPhase, readSchema, SchemaFollower, ValidationError } from '@strata/core';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from './fixtures.js';

/** One kind of change: the schema before it, the migration, and the phase with every change it reports. */
interface ChangeKind {
  readonly kind: string;
  readonly before: string;
  readonly up: string;
  readonly phase: 'expand' | 'contract';
  readonly changes: readonly string[];
}

const PEOPLE = 'CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER);';
const TEAMS = 'CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL);';
/** Rebuilds `people` with the body given, copying the columns both have: SQLite's way to change a column. */
const rebuild = (body: string, columns = 'id, full_name, email, age') =>
  `CREATE TABLE people_new (${body}); INSERT INTO people_new (${columns}) SELECT ${columns} FROM people; DROP TABLE people; ALTER TABLE people_new RENAME TO people;`;
const BREAKS = "the previous version's";

const KINDS: readonly ChangeKind[] = [
  { kind: 'a table added', before: PEOPLE, up: TEAMS, phase: 'expand', changes: ['table teams added'] },
  {
    kind: 'a table added with a unique index and a trigger that raises',
    before: PEOPLE,
    up: `${TEAMS} CREATE UNIQUE INDEX idx_teams_name ON teams (name); CREATE TRIGGER teams_named BEFORE INSERT ON teams BEGIN SELECT RAISE(ABORT, 'a team needs a name') WHERE new.name = ''; END;`,
    phase: 'expand',
    changes: [
      'table teams added',
      'unique index idx_teams_name on teams (name) added: teams is new, so the previous version does not write to it',
      'trigger teams_named on teams added: teams is new, so the previous version does not write to it',
    ],
  },
  {
    kind: 'a nullable column added',
    before: PEOPLE,
    up: 'ALTER TABLE people ADD COLUMN nickname TEXT;',
    phase: 'expand',
    changes: ['column people.nickname added'],
  },
  {
    kind: 'a NOT NULL column with a default added',
    before: PEOPLE,
    up: "ALTER TABLE people ADD COLUMN status TEXT NOT NULL DEFAULT 'active';",
    phase: 'expand',
    changes: ['column people.status added'],
  },
  {
    kind: 'a NOT NULL column without a default added',
    before: PEOPLE,
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, status TEXT NOT NULL'),
    phase: 'contract',
    changes: [`column people.status added NOT NULL without a default: ${BREAKS} inserts, which do not name it, fail`],
  },
  {
    kind: 'a generated column added',
    before: PEOPLE,
    up: 'ALTER TABLE people ADD COLUMN email_lower TEXT AS (lower(email));',
    phase: 'expand',
    changes: ['column people.email_lower added'],
  },
  {
    kind: 'an index added',
    before: PEOPLE,
    up: 'CREATE INDEX idx_people_email ON people (email);',
    phase: 'expand',
    changes: ['index idx_people_email on people (email) added'],
  },
  {
    kind: 'an index removed',
    before: `${PEOPLE} CREATE INDEX idx_people_email ON people (email);`,
    up: 'DROP INDEX idx_people_email;',
    phase: 'expand',
    changes: ['index idx_people_email removed'],
  },
  {
    kind: 'a unique index added',
    before: PEOPLE,
    up: 'CREATE UNIQUE INDEX idx_people_email ON people (email);',
    phase: 'contract',
    changes: [`unique index idx_people_email on people (email) added: ${BREAKS} writes may violate it`],
  },
  {
    kind: 'a unique index implied by the primary key added',
    before: PEOPLE,
    up: 'CREATE UNIQUE INDEX idx_people_id_email ON people (id, email);',
    phase: 'expand',
    changes: ['unique index idx_people_id_email on people (id, email) added, implied by an existing key'],
  },
  {
    kind: 'a column removed',
    before: PEOPLE,
    up: 'ALTER TABLE people DROP COLUMN age;',
    phase: 'contract',
    changes: [`column people.age removed: ${BREAKS} statements naming it fail`],
  },
  {
    kind: 'a column renamed',
    before: PEOPLE,
    up: 'ALTER TABLE people RENAME COLUMN full_name TO display_name;',
    phase: 'contract',
    changes: [`column people.full_name renamed to display_name: ${BREAKS} statements naming full_name fail`],
  },
  {
    kind: 'a column renamed that a CHECK, an index and a foreign key name',
    before: `${TEAMS} CREATE TABLE people (id INTEGER PRIMARY KEY, team INTEGER REFERENCES teams (id) CHECK (team > 0)); CREATE INDEX idx_people_team ON people (team);`,
    up: 'ALTER TABLE people RENAME COLUMN team TO team_id; ALTER TABLE teams RENAME COLUMN id TO team_id;',
    phase: 'contract',
    changes: [
      `column people.team renamed to team_id: ${BREAKS} statements naming team fail`,
      `column teams.id renamed to team_id: ${BREAKS} statements naming id fail`,
    ],
  },
  {
    kind: 'a parent table renamed, its children following',
    before: `${TEAMS} CREATE TABLE people (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES teams (id));`,
    up: 'ALTER TABLE teams RENAME TO squads;',
    phase: 'contract',
    changes: [`table teams renamed to squads: ${BREAKS} statements on teams fail`],
  },
  {
    kind: 'a UNIQUE made to replace the rows a write conflicts with',
    before: 'CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT UNIQUE, age INTEGER);',
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT UNIQUE ON CONFLICT REPLACE, age INTEGER'),
    phase: 'contract',
    changes: [
      `table people: UNIQUE (email) ON CONFLICT ABORT → REPLACE: ${BREAKS} writes that break it now replace the rows they conflict with`,
    ],
  },
  {
    kind: 'a NOT NULL made to drop the writes that break it',
    before: 'CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, email TEXT, age INTEGER);',
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT NOT NULL ON CONFLICT IGNORE, email TEXT, age INTEGER'),
    phase: 'contract',
    changes: [
      `table people: NOT NULL on full_name ON CONFLICT ABORT → IGNORE: ${BREAKS} writes that break it now vanish without an error`,
    ],
  },
  {
    kind: 'a primary key that replaced rows made to refuse the write',
    before: 'CREATE TABLE teams (id INTEGER PRIMARY KEY ON CONFLICT REPLACE, name TEXT NOT NULL);',
    up: 'CREATE TABLE teams_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO teams_new SELECT * FROM teams; DROP TABLE teams; ALTER TABLE teams_new RENAME TO teams;',
    phase: 'contract',
    changes: [`table teams: PRIMARY KEY (id) ON CONFLICT REPLACE → ABORT: ${BREAKS} writes that break it now fail`],
  },
  {
    kind: 'a table removed',
    before: `${PEOPLE} ${TEAMS}`,
    up: 'DROP TABLE teams;',
    phase: 'contract',
    changes: [`table teams removed: ${BREAKS} statements on it fail`],
  },
  {
    kind: 'a table renamed',
    before: `${PEOPLE} ${TEAMS}`,
    up: 'ALTER TABLE teams RENAME TO groups;',
    phase: 'contract',
    changes: [`table teams renamed to groups: ${BREAKS} statements on teams fail`],
  },
  {
    kind: 'a type changed within its affinity',
    before: PEOPLE,
    up: rebuild('id INTEGER PRIMARY KEY, full_name VARCHAR(200), email TEXT, age INTEGER'),
    phase: 'expand',
    changes: ['column people.full_name: type TEXT → VARCHAR(200), the same TEXT affinity'],
  },
  {
    kind: 'a type changed to another affinity',
    before: PEOPLE,
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age TEXT'),
    phase: 'contract',
    changes: [
      `column people.age: type INTEGER → TEXT: values ${BREAKS.replace("'s", '')} writes are now stored with TEXT affinity, so it may read back another type`,
    ],
  },
  {
    kind: 'NOT NULL added',
    before: PEOPLE,
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, email TEXT, age INTEGER'),
    phase: 'contract',
    changes: [`column people.full_name made NOT NULL: ${BREAKS} writes of NULL fail`],
  },
  {
    kind: 'NOT NULL removed',
    before: 'CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, email TEXT, age INTEGER);',
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER'),
    phase: 'expand',
    changes: ['column people.full_name may now be NULL'],
  },
  {
    kind: 'a default removed from a NOT NULL column',
    before: "CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL DEFAULT '', email TEXT, age INTEGER);",
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, email TEXT, age INTEGER'),
    phase: 'contract',
    changes: [`column people.full_name: default '' removed from a NOT NULL column: ${BREAKS} inserts that do not name it fail`],
  },
  {
    kind: 'a NOT NULL column given DEFAULT NULL, which is no default',
    before: "CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL DEFAULT '', email TEXT, age INTEGER);",
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT NOT NULL DEFAULT (NULL), email TEXT, age INTEGER'),
    phase: 'contract',
    changes: [`column people.full_name: default '' removed from a NOT NULL column: ${BREAKS} inserts that do not name it fail`],
  },
  {
    kind: 'a NOT NULL column with DEFAULT NULL added',
    before: PEOPLE,
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, status TEXT NOT NULL DEFAULT NULL'),
    phase: 'contract',
    changes: [`column people.status added NOT NULL without a default: ${BREAKS} inserts, which do not name it, fail`],
  },
  {
    kind: 'an INTEGER PRIMARY KEY made INT PRIMARY KEY, no longer the rowid',
    before: PEOPLE,
    up: rebuild('id INT PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER'),
    phase: 'contract',
    changes: [
      'column people.id: type INTEGER → INT, the same INTEGER affinity',
      `column people.id no longer an alias of the rowid: ${BREAKS} inserts that leave it out no longer get a new key`,
    ],
  },
  {
    kind: 'an INTEGER PRIMARY KEY declared DESC, which SQLite keeps apart from the rowid',
    before: PEOPLE,
    up: rebuild('id INTEGER PRIMARY KEY DESC, full_name TEXT, email TEXT, age INTEGER'),
    phase: 'contract',
    changes: [`column people.id no longer an alias of the rowid: ${BREAKS} inserts that leave it out no longer get a new key`],
  },
  {
    kind: 'an INT PRIMARY KEY made INTEGER PRIMARY KEY, the rowid',
    before: 'CREATE TABLE people (id INT PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER);',
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER'),
    phase: 'contract',
    changes: [
      'column people.id: type INT → INTEGER, the same INTEGER affinity',
      `column people.id made an alias of the rowid: ${BREAKS} writes of a non-integer to it fail`,
    ],
  },
  {
    kind: 'an INT PRIMARY KEY of a STRICT table made INTEGER PRIMARY KEY, which refused non-integers already',
    before: 'CREATE TABLE people (id INT PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER) STRICT;',
    up: 'CREATE TABLE people_new (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER) STRICT; INSERT INTO people_new SELECT * FROM people; DROP TABLE people; ALTER TABLE people_new RENAME TO people;',
    phase: 'expand',
    changes: ['column people.id: type INT → INTEGER, the same INTEGER affinity', 'column people.id may now be NULL'],
  },
  {
    kind: 'a table-level PRIMARY KEY (id DESC) of INTEGER, still the rowid',
    before: PEOPLE,
    up: rebuild('id INTEGER, full_name TEXT, email TEXT, age INTEGER, PRIMARY KEY (id DESC)'),
    phase: 'expand',
    changes: [],
  },
  {
    kind: 'a UNIQUE constraint made case-insensitive',
    before: 'CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, UNIQUE (email));',
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, UNIQUE (email COLLATE NOCASE)'),
    phase: 'contract',
    changes: [
      `table people: UNIQUE (email collate nocase) added: ${BREAKS} writes may violate it`,
      'table people: UNIQUE (email) removed',
    ],
  },
  {
    kind: 'a primary key made case-insensitive',
    before: 'CREATE TABLE tags (name TEXT PRIMARY KEY, color TEXT);',
    up: 'CREATE TABLE tags_new (name TEXT, color TEXT, PRIMARY KEY (name COLLATE NOCASE)); INSERT INTO tags_new SELECT * FROM tags; DROP TABLE tags; ALTER TABLE tags_new RENAME TO tags;',
    phase: 'contract',
    changes: [
      `table tags: primary key (name) → (name collate nocase): ${BREAKS} writes may conflict, its reads by key find other rows`,
    ],
  },
  {
    kind: 'a NOT NULL column added while a temporary table of the same name shadows the table',
    before: PEOPLE,
    up: "CREATE TEMP TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, status TEXT NOT NULL DEFAULT ''); DROP TABLE main.people; CREATE TABLE main.people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, status TEXT NOT NULL);",
    phase: 'contract',
    changes: [`column people.status added NOT NULL without a default: ${BREAKS} inserts, which do not name it, fail`],
  },
  {
    kind: 'a column whose name needs quotes renamed, under a CHECK',
    before: 'CREATE TABLE people (id INTEGER PRIMARY KEY, "full name" TEXT CHECK ("full name" <> \'\'));',
    up: 'ALTER TABLE people RENAME COLUMN "full name" TO "display name";',
    phase: 'contract',
    changes: [`column people.full name renamed to display name: ${BREAKS} statements naming full name fail`],
  },
  {
    kind: 'a unique index implied by the primary key added, with parentheses and commas in quoted names',
    before: 'CREATE TABLE "people (v2)" (id INTEGER PRIMARY KEY, "e,mail" TEXT);',
    up: 'CREATE UNIQUE INDEX "idx (email)" ON "people (v2)" (id, "e,mail");',
    phase: 'expand',
    changes: ['unique index idx (email) on people (v2) (id, "e,mail") added, implied by an existing key'],
  },
  {
    kind: 'a foreign key checked at each statement, no longer at commit',
    before: `${TEAMS} CREATE TABLE members (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES teams (id) DEFERRABLE INITIALLY DEFERRED);`,
    up: 'CREATE TABLE members_new (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES teams (id)); INSERT INTO members_new SELECT * FROM members; DROP TABLE members; ALTER TABLE members_new RENAME TO members;',
    phase: 'contract',
    changes: [
      `table members: foreign key (team_id) → teams(id) no longer DEFERRABLE INITIALLY DEFERRED: ${BREAKS} writes that satisfy it only by their commit fail`,
    ],
  },
  {
    kind: 'a foreign key checked at commit',
    before: `${TEAMS} CREATE TABLE members (id INTEGER PRIMARY KEY, team_id INTEGER, FOREIGN KEY (team_id) REFERENCES teams (id));`,
    up: 'CREATE TABLE members_new (id INTEGER PRIMARY KEY, team_id INTEGER, FOREIGN KEY (team_id) REFERENCES teams (id) DEFERRABLE INITIALLY DEFERRED); INSERT INTO members_new SELECT * FROM members; DROP TABLE members; ALTER TABLE members_new RENAME TO members;',
    phase: 'expand',
    changes: ['table members: foreign key (team_id) → teams(id) now checked at commit'],
  },
  {
    kind: 'a default changed',
    before: 'CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER DEFAULT 0);',
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER DEFAULT 18'),
    phase: 'expand',
    changes: ['column people.age: default 0 → 18'],
  },
  {
    kind: 'a CHECK added',
    before: PEOPLE,
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER CHECK (age >= 0)'),
    phase: 'contract',
    changes: [`table people: CHECK (age>=0) added: ${BREAKS} writes may violate it`],
  },
  {
    kind: 'a CHECK removed',
    before: 'CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER CHECK (age >= 0));',
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER'),
    phase: 'expand',
    changes: ['table people: CHECK (age>=0) removed'],
  },
  {
    kind: 'a UNIQUE constraint added',
    before: PEOPLE,
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT UNIQUE, age INTEGER'),
    phase: 'contract',
    changes: [`table people: UNIQUE (email) added: ${BREAKS} writes may violate it`],
  },
  {
    kind: 'a foreign key added',
    before: `${TEAMS} CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, team_id INTEGER);`,
    up: rebuild(
      'id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, team_id INTEGER REFERENCES teams (id)',
      'id, full_name, email, age, team_id',
    ),
    phase: 'contract',
    changes: [`table people: foreign key (team_id) → teams(id) added: ${BREAKS} writes may violate it`],
  },
  {
    kind: 'a foreign key removed',
    before: `${TEAMS} CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, team_id INTEGER REFERENCES teams (id));`,
    up: rebuild(
      'id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, team_id INTEGER',
      'id, full_name, email, age, team_id',
    ),
    phase: 'expand',
    changes: ['table people: foreign key (team_id) → teams(id) removed'],
  },
  {
    kind: 'STRICT added',
    before: PEOPLE,
    up: `${rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER').replace('age INTEGER)', 'age INTEGER) STRICT')}`,
    phase: 'contract',
    changes: [`table people made STRICT: a value of another type, which ${BREAKS.replace("'s", '')} may write, is refused`],
  },
  {
    kind: 'WITHOUT ROWID added',
    before: TEAMS,
    up: 'CREATE TABLE teams_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID; INSERT INTO teams_new SELECT * FROM teams; DROP TABLE teams; ALTER TABLE teams_new RENAME TO teams;',
    phase: 'contract',
    // Its key is no rowid any more: an insert that leaves id out (to have one assigned) now fails.
    changes: [
      `table teams made WITHOUT ROWID: ${BREAKS} reads of its rowid fail`,
      `column teams.id made NOT NULL: ${BREAKS} writes of NULL fail`,
    ],
  },
  {
    kind: 'the primary key changed',
    before: TEAMS,
    up: 'CREATE TABLE teams_new (id INTEGER, name TEXT NOT NULL, PRIMARY KEY (id, name)); INSERT INTO teams_new SELECT * FROM teams; DROP TABLE teams; ALTER TABLE teams_new RENAME TO teams;',
    phase: 'contract',
    changes: [`table teams: primary key (id) → (id, name): ${BREAKS} writes may conflict, its reads by key find other rows`],
  },
  {
    kind: 'a collation changed',
    before: PEOPLE,
    up: rebuild('id INTEGER PRIMARY KEY, full_name TEXT, email TEXT COLLATE NOCASE, age INTEGER'),
    phase: 'contract',
    changes: [
      `column people.email: collation BINARY → NOCASE: comparing, sorting and uniqueness on it change for the previous version`,
    ],
  },
  {
    kind: 'a trigger that only writes added',
    before: `${PEOPLE} CREATE TABLE audit (person_id INTEGER, at TEXT);`,
    up: 'CREATE TRIGGER people_audit AFTER INSERT ON people BEGIN INSERT INTO audit VALUES (NEW.id, CURRENT_TIMESTAMP); END;',
    phase: 'expand',
    changes: ['trigger people_audit on people added'],
  },
  {
    kind: 'a trigger that can reject writes added',
    before: PEOPLE,
    up: "CREATE TRIGGER people_email BEFORE INSERT ON people WHEN NEW.email IS NULL BEGIN SELECT RAISE(ABORT, 'email required'); END;",
    phase: 'contract',
    changes: [`trigger people_email on people added: it calls RAISE, so it may reject ${BREAKS} writes`],
  },
  {
    kind: 'a view added',
    before: PEOPLE,
    up: 'CREATE VIEW adults AS SELECT id, full_name FROM people WHERE age >= 18;',
    phase: 'expand',
    changes: ['view adults added'],
  },
  {
    kind: 'a view changed, keeping its columns',
    before: `${PEOPLE} CREATE VIEW adults AS SELECT id, full_name FROM people WHERE age >= 18;`,
    up: 'DROP VIEW adults; CREATE VIEW adults AS SELECT id, full_name, email FROM people WHERE age >= 21;',
    phase: 'expand',
    changes: ['view adults changed; it returns the columns it did'],
  },
  {
    kind: 'a view losing a column',
    before: `${PEOPLE} CREATE VIEW adults AS SELECT id, full_name FROM people WHERE age >= 18;`,
    up: 'DROP VIEW adults; CREATE VIEW adults AS SELECT id FROM people WHERE age >= 18;',
    phase: 'contract',
    changes: [`view adults no longer returns column full_name: ${BREAKS} reads of it fail`],
  },
  {
    kind: 'a view removed',
    before: `${PEOPLE} CREATE VIEW adults AS SELECT id, full_name FROM people WHERE age >= 18;`,
    up: 'DROP VIEW adults;',
    phase: 'contract',
    changes: [`view adults removed: ${BREAKS} reads of it fail`],
  },
  {
    kind: 'rows changed only',
    before: `${PEOPLE} INSERT INTO people (full_name) VALUES ('Ada');`,
    up: "UPDATE people SET email = lower(full_name) || '@example.com';",
    phase: 'expand',
    changes: [],
  },
];

/**
 * Expand/contract classification and phased runs: each kind of change is classified with its reasons, `migrate`
 * with a phase stops before the first contract migration and finishes with the contract phase, and a declared
 * phase that does not hold stops the run. A driver's contract test calls this.
 */
export function describePhasesContract(name: string, open: (path: string) => Promise<Driver>): void {
  describe(`deployment phases: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let driver: Driver;
    beforeEach(async () => {
      temp = makeTempDir();
      driver = await open(join(temp.path, 'app.db'));
    });
    afterEach(async () => {
      await driver.close();
      temp.remove();
    });

    const phasesOf = async (files: Record<string, string>): Promise<readonly MigrationPhase[]> => {
      const manager = new MigrationManager({ driver, migrations: files });
      const report = await manager.validate({ phases: true });
      expect(report.problems.map((p) => p.message)).toEqual([]);
      return report.phases ?? [];
    };

    it(`classifies each of ${KINDS.length} kinds of change, with its reasons`, async () => {
      const found: Record<string, unknown> = {};
      const wanted: Record<string, unknown> = {};
      for (const kind of KINDS) {
        const phases = await phasesOf({ '001_before/up.sql': kind.before, '002_change/up.sql': kind.up });
        const change = phases.find((p) => p.version === '002');
        found[kind.kind] = { phase: change?.phase, changes: change?.changes.map((c) => c.message) };
        wanted[kind.kind] = { phase: kind.phase, changes: kind.changes };
      }
      expect(found).toEqual(wanted);
      expect(KINDS.filter((k) => k.phase === 'contract').length).toBeGreaterThanOrEqual(15);
      expect(KINDS.filter((k) => k.phase === 'expand').length).toBeGreaterThanOrEqual(15);
    });

    it('follows a schema through every kind of change, reading what readSchema reads after each', async () => {
      const scratch = await (driver.scratch?.() ?? Promise.reject(new Error('no scratch')));
      try {
        const follower = await SchemaFollower.open(scratch, { exclude: ['history'] });
        const steps = [
          'CREATE TABLE history (v TEXT)',
          `${PEOPLE} ${TEAMS}`,
          'ALTER TABLE people ADD COLUMN nickname TEXT',
          'ALTER TABLE people RENAME COLUMN nickname TO alias',
          'CREATE INDEX idx_people_alias ON people (alias); CREATE VIEW adults AS SELECT id FROM people WHERE age >= 18',
          "INSERT INTO people (full_name) VALUES ('Ada')",
          'DROP INDEX idx_people_alias; ALTER TABLE people DROP COLUMN alias',
          'ALTER TABLE teams RENAME TO groups',
          'CREATE TRIGGER t AFTER INSERT ON people BEGIN SELECT 1; END',
          'DROP VIEW adults; CREATE VIEW adults AS SELECT id, full_name FROM people WHERE age >= 21',
          'DROP TABLE groups; CREATE TABLE groups (id INTEGER PRIMARY KEY, label TEXT)',
          // Sorted as SQLite sorts names, by their UTF-8 bytes: U+FF34 before U+1F600, which UTF-16 puts first.
          'CREATE TABLE "\uFF34" (x); CREATE TABLE "\u{1F600}" (x)',
          'DROP TRIGGER t; DROP TABLE people',
        ];
        for (const step of steps) {
          await scratch.exec(step);
          expect(await follower.read(), step).toEqual(await readSchema(scratch, { exclude: ['history'] }));
        }
      } finally {
        await scratch.close();
      }
    });

    it('reads what readSchema reads after any sequence of schema changes, names beyond U+FFFF and temporary tables too', async () => {
      const names = ['a', 'B', 'b', '\u00e9', '\uFF34', '\u{1F600}'];
      const columns = ['x', 'y', 'Z'];
      /** A table's or view's name, another, and a column's name. */
      type Names = { n: string; m: string; c: string };
      const statement = fc.oneof(
        ...[
          ({ n, c }: Names) => `CREATE TABLE "${n}" (id INTEGER PRIMARY KEY, x TEXT UNIQUE, "${c}" INT)`,
          ({ n }: Names) => `CREATE TABLE "${n}" (x TEXT, y INT, PRIMARY KEY (x, y)) WITHOUT ROWID`,
          ({ n }: Names) => `CREATE TEMP TABLE "${n}" (shadow TEXT)`,
          ({ n }: Names) => `DROP TABLE "${n}"`,
          ({ n, m }: Names) => `ALTER TABLE "${n}" RENAME TO "${m}"`,
          ({ n, c }: Names) => `ALTER TABLE "${n}" ADD COLUMN "${c}" TEXT`,
          ({ n, c }: Names) => `ALTER TABLE "${n}" DROP COLUMN "${c}"`,
          ({ n, m }: Names) => `CREATE INDEX "i${m}" ON "${n}" (x)`,
          ({ n, m }: Names) => `CREATE UNIQUE INDEX "u${m}" ON "${n}" (lower(x)) WHERE x > 'a'`,
          ({ m }: Names) => `DROP INDEX "i${m}"`,
          ({ n, m }: Names) => `CREATE VIEW "${n}" AS SELECT * FROM "${m}"`,
          ({ n }: Names) => `DROP VIEW "${n}"`,
          ({ n, m }: Names) => `CREATE TRIGGER "${n}" AFTER INSERT ON "${m}" BEGIN SELECT 1; END`,
        ].map((write) =>
          fc.record({ n: fc.constantFrom(...names), m: fc.constantFrom(...names), c: fc.constantFrom(...columns) }).map(write),
        ),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(statement, { maxLength: 12 }), async (statements) => {
          const scratch = await (driver.scratch?.() ?? Promise.reject(new Error('no scratch')));
          try {
            const follower = await SchemaFollower.open(scratch);
            for (const sql of statements) {
              // Many of them fail (a name taken, a table missing): what matters is the schema after those that run.
              if (
                await scratch.exec(sql).then(
                  () => false,
                  () => true,
                )
              )
                continue;
              expect(await follower.read(), sql).toEqual(await readSchema(scratch));
            }
          } finally {
            await scratch.close();
          }
        }),
        { numRuns: 25 },
      );
    });

    it('marks each change with the phase it needs: a migration is contract when any one is', async () => {
      const [, change] = await phasesOf({
        '001_before/up.sql': PEOPLE,
        '002_change/up.sql': 'ALTER TABLE people ADD COLUMN nickname TEXT; ALTER TABLE people DROP COLUMN age;',
      });
      expect(change?.phase).toBe('contract');
      expect(change?.changes).toEqual([
        { phase: 'contract', message: `column people.age removed (or renamed): ${BREAKS} statements naming it fail` },
        { phase: 'expand', message: 'column people.nickname added' },
      ]);
    });

    it('finds a view that a change leaves unable to run', async () => {
      const [, change] = await phasesOf({
        '001_before/up.sql': `${PEOPLE} ${TEAMS} CREATE VIEW roster AS SELECT people.full_name, teams.name FROM people, teams;`,
        '002_change/up.sql': 'DROP TABLE teams;',
      });
      expect(change?.phase).toBe('contract');
      expect(change?.changes.map((c) => c.message)).toEqual([
        `table teams removed: ${BREAKS} statements on it fail`,
        expect.stringMatching(
          /^view roster no longer works \(.*no such table: main\.teams.*\): the previous version's reads of it fail$/,
        ),
      ]);
    });

    it('refuses phase: expand on a migration that breaks the previous version, naming the breaking change', async () => {
      const manager = new MigrationManager({
        driver,
        migrations: {
          '001_before/up.sql': PEOPLE,
          '002_drop_age/up.sql': 'ALTER TABLE people DROP COLUMN age;',
          '002_drop_age/meta.yaml': 'phase: expand\n',
        },
      });
      const { problems } = await manager.validate();
      expect(problems.map((p) => [p.code, p.version, p.file, p.message])).toEqual([
        [
          'PHASE_MISMATCH',
          '002',
          '002_drop_age/meta.yaml',
          `002_drop_age/meta.yaml declares phase: expand, but 002_drop_age would break the previous version of the application: column people.age removed: ${BREAKS} statements naming it fail`,
        ],
      ]);
      const error = await manager.migrate({ phase: 'expand' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.code)).toEqual(['PHASE_MISMATCH']);
      expect(await driver.query("SELECT name FROM sqlite_master WHERE type = 'table'")).toEqual([]);
      const status = await manager.status({ phases: true });
      expect(status.problems.map((p) => p.code)).toEqual(['PHASE_MISMATCH']);
    });

    it('classifies a migration that would write a file as not replayed, and writes none', async () => {
      const [attached, vacuumed] = [join(temp.path, 'attached.db'), join(temp.path, 'vacuumed.db')];
      const phases = (files: Record<string, string>) =>
        new MigrationManager({ driver, migrations: { '001_before/up.sql': PEOPLE, ...files } }).status({ phases: true });
      const attach = await phases({
        '002_attach/up.sql': `ATTACH '' || '${attached}' AS archive;`,
        '002_attach/meta.yaml': 'transaction: false\n',
      });
      const vacuum = await phases({
        '002_vacuum/up.sql': `VACUUM INTO '${vacuumed}';`,
        '002_vacuum/meta.yaml': 'transaction: false\n',
      });
      expect([...attach.pending, ...vacuum.pending].map((p) => [p.version, p.phase, p.changes?.map((c) => c.message)])).toEqual([
        ['001', 'expand', ['table people added']],
        [
          '002',
          'contract',
          [
            `002_attach could not be replayed on an empty database (migration 002 (attach) cannot run on the in-memory replay at 002_attach/up.sql:1:1: it attaches the database '' || '${attached}', a file the replay does not create; check this migration with --no-replay (replay: false)), so what it changes is not known`,
          ],
        ],
        ['001', 'expand', ['table people added']],
        [
          '002',
          'contract',
          [
            `002_vacuum could not be replayed on an empty database (migration 002 (vacuum) cannot run on the in-memory replay at 002_vacuum/up.sql:1:1: it writes the database to '${vacuumed}' (VACUUM INTO), a file the replay does not create; check this migration with --no-replay (replay: false)), so what it changes is not known`,
          ],
        ],
      ]);
      expect([existsSync(attached), existsSync(vacuumed)]).toEqual([false, false]);
    });

    it('rejects a phase in meta.yaml that is neither expand nor contract', async () => {
      const manager = new MigrationManager({
        driver,
        migrations: { '001_before/up.sql': PEOPLE, '001_before/meta.yaml': 'phase: later\n' },
      });
      const { problems } = await manager.validate();
      expect(problems.map((p) => [p.code, p.message])).toEqual([
        [
          'INVALID_META',
          '001_before/meta.yaml: "phase" must be expand (the previous version of the application still works after it) or contract (it runs once that version is gone)',
        ],
      ]);
    });

    describe('migrate by phase', () => {
      const FOLDER = {
        '001_people/up.sql': PEOPLE,
        '002_add_display_name/up.sql':
          'ALTER TABLE people ADD COLUMN display_name TEXT; UPDATE people SET display_name = full_name;',
        '003_drop_full_name/up.sql': 'ALTER TABLE people DROP COLUMN full_name;',
        '004_add_teams/up.sql': TEAMS,
      };
      const columns = async () =>
        (await driver.query<{ name: string }>("SELECT name FROM pragma_table_info('people')")).map((c) => c.name);
      const history = async () =>
        (await driver.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);

      it('applies the expand migrations, waits at the first contract one, and finishes in the contract phase', async () => {
        const manager = new MigrationManager({ driver, migrations: FOLDER });
        await manager.migrate({ to: '001' });
        await driver.exec("INSERT INTO people (full_name, email) VALUES ('Ada Lovelace', 'ada@example.com')");

        const status = await manager.status({ phases: true });
        expect(status.pending.map((p) => [p.version, p.phase])).toEqual([
          ['002', 'expand'],
          ['003', 'contract'],
          ['004', 'expand'],
        ]);

        const expand = await manager.migrate({ phase: 'expand' });
        expect(expand.steps.map((s) => [s.version, s.status])).toEqual([['002', 'applied']]);
        expect(expand.phase).toBe('expand');
        expect(expand.waiting?.map((w) => [w.version, w.phase])).toEqual([
          ['003', 'contract'],
          ['004', 'expand'],
        ]);
        expect(expand.waiting?.[0]?.changes.map((c) => c.message)).toEqual([
          `column people.full_name removed: ${BREAKS} statements naming it fail`,
        ]);
        expect(await history()).toEqual(['001', '002']);
        expect(await columns()).toEqual(['id', 'full_name', 'email', 'age', 'display_name']);
        expect(await driver.query('SELECT full_name, display_name FROM people')).toEqual([
          { full_name: 'Ada Lovelace', display_name: 'Ada Lovelace' },
        ]);

        const again = await manager.migrate({ phase: 'expand' });
        expect(again.steps).toEqual([]);
        expect(again.waiting?.map((w) => w.version)).toEqual(['003', '004']);

        const contract = await manager.migrate({ phase: 'contract' });
        expect(contract.steps.map((s) => [s.version, s.status])).toEqual([
          ['003', 'applied'],
          ['004', 'applied'],
        ]);
        expect(contract.waiting).toEqual([]);
        expect(await history()).toEqual(['001', '002', '003', '004']);
        expect(await columns()).toEqual(['id', 'email', 'age', 'display_name']);
        expect(await driver.query('SELECT display_name FROM people')).toEqual([{ display_name: 'Ada Lovelace' }]);
      });

      it('holds back a migration declared contract, though its changes alone would let it run', async () => {
        const manager = new MigrationManager({
          driver,
          migrations: { ...FOLDER, '002_add_display_name/meta.yaml': 'phase: contract\n' },
        });
        const report = await manager.migrate({ phase: 'expand' });
        expect(report.steps.map((s) => s.version)).toEqual(['001']);
        expect(report.waiting?.[0]).toMatchObject({
          version: '002',
          phase: 'contract',
          classified: 'expand',
          declared: 'contract',
        });
      });

      it('plans a phase in a dry run without changing anything', async () => {
        const manager = new MigrationManager({ driver, migrations: FOLDER });
        const report = await manager.migrate({ phase: 'expand', dryRun: true });
        expect(report.steps.map((s) => [s.version, s.status])).toEqual([
          ['001', 'planned'],
          ['002', 'planned'],
        ]);
        expect(report.waiting?.map((w) => w.version)).toEqual(['003', '004']);
        expect((await readSchema(driver)).tables).toEqual([]);
      });

      it('stops before a migration whose replay fails, as what it changes is not known', async () => {
        const manager = new MigrationManager({
          driver,
          migrations: { ...FOLDER, '003_drop_full_name/up.sql': "ATTACH 'other.db' AS other;" },
        });
        const report = await manager.migrate({ phase: 'expand', dryRun: true });
        expect(report.steps.map((s) => s.version)).toEqual(['001', '002']);
        expect(report.waiting?.map((w) => [w.version, w.phase, w.changes.map((c) => c.message)])).toEqual([
          [
            '003',
            'contract',
            [
              expect.stringMatching(
                /^003_drop_full_name could not be replayed on an empty database \(.*\), so what it changes is not known$/,
              ),
            ],
          ],
          ['004', 'contract', ['it follows 003_drop_full_name, which could not be replayed, so what it changes is not known']],
        ]);
      });
    });
  });
}
