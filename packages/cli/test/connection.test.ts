import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { countRows, sandbox, THREE, writeMigrations } from './support/cli.js';

/** Byte 18 of a SQLite file header: 2 in WAL mode, 1 in a rollback-journal mode. */
const headerMode = (file: string) => (readFileSync(file)[18] === 2 ? 'wal' : 'rollback journal');

/** THREE, then a migration that records a post of a user who does not exist, as a history written with foreign keys off. */
const ORPHAN = {
  ...THREE,
  '004_orphan_post': { up: "INSERT INTO posts (user_id, title) VALUES (99, 'kept from the old system');\n" },
};

describe.each(DRIVERS)('connection settings (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), ORPHAN);
    return { box, run: (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]) };
  };

  it('a migration that needs foreign keys off fails by default and succeeds with --foreign-keys off', () => {
    const { box, run } = setup();
    const enforced = run('migrate');
    expect(enforced.code).toBe(1);
    expect(enforced.stderr).toContain('FOREIGN KEY constraint failed');
    expect(countRows(box.path('app.db'), 'posts')).toBe(0);

    const off = run('migrate', '--foreign-keys', 'off');
    expect(off.code).toBe(0);
    expect(countRows(box.path('app.db'), 'posts')).toBe(1);
  });

  it('foreignKeys: false in the config file does the same; --foreign-keys on wins over it', () => {
    const { box, run } = setup();
    writeFileSync(box.path('strata.config.json'), '{ "foreignKeys": false }');
    expect(run('migrate', '--foreign-keys', 'on').code).toBe(1);
    expect(run('migrate').code).toBe(0);
    expect(countRows(box.path('app.db'), 'posts')).toBe(1);
  });

  it('--foreign-keys takes on or off, anything else is a usage error', () => {
    const { run } = setup();
    const result = run('migrate', '--foreign-keys', 'no', '--json');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'USAGE_ERROR', message: '--foreign-keys must be on or off, not "no"' },
    });
  });
});

describe('journal mode', () => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    return { box, db: box.path('app.db') };
  };

  it('is WAL by default with better-sqlite3, and what --journal-mode asks for', () => {
    const { box, db } = setup();
    expect(box.run(['migrate', '--db', 'app.db', '--to', '001']).code).toBe(0);
    expect(headerMode(db)).toBe('wal');
    expect(box.run(['migrate', '--db', 'app.db', '--journal-mode', 'delete']).code).toBe(0);
    expect(headerMode(db)).toBe('rollback journal');
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(box.run(['migrate', '--db', 'fresh.db', '--journal-mode', 'truncate', '--synchronous', 'full']).code).toBe(0);
    expect(headerMode(box.path('fresh.db'))).toBe('rollback journal');
  });

  it('journalMode in the config file sets it; the command line wins', () => {
    const { box, db } = setup();
    writeFileSync(box.path('strata.config.yaml'), 'db: app.db\njournalMode: delete\nsynchronous: full\n');
    expect(box.run(['migrate', '--to', '001']).code).toBe(0);
    expect(headerMode(db)).toBe('rollback journal');
    expect(box.run(['migrate', '--journal-mode', 'wal']).code).toBe(0);
    expect(headerMode(db)).toBe('wal');
  });

  it('a read-only command never changes it', () => {
    const { box, db } = setup();
    expect(box.run(['migrate', '--db', 'app.db']).code).toBe(0);
    expect(box.run(['status', '--db', 'app.db', '--journal-mode', 'delete']).code).toBe(0);
    expect(headerMode(db)).toBe('wal');
  });

  it('is refused with sqljs, whose file is always in rollback-journal mode, and with an unknown mode', () => {
    const { box } = setup();
    const sqljs = box.run(['migrate', '--db', 'app.db', '--driver', 'sqljs', '--journal-mode', 'wal']);
    expect(sqljs.code).toBe(2);
    expect(sqljs.stderr).toContain('error: the journal mode and synchronous settings are for better-sqlite3');
    const unknown = box.run(['migrate', '--db', 'app.db', '--journal-mode', 'fast']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'error: --journal-mode must be one of wal, delete, truncate, persist, memory, off, not "fast"',
    );
    expect(existsSync(box.path('app.db'))).toBe(false);
  });

  it('config file values are checked', () => {
    const { box } = setup();
    writeFileSync(box.path('strata.config.yaml'), 'foreignKeys: off\njournalMode: fast\nsynchronous: 1\n');
    const result = box.run(['status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"foreignKeys" must be true or false');
    expect(result.stderr).toContain('"journalMode" must be one of wal, delete, truncate, persist, memory, off');
    expect(result.stderr).toContain('"synchronous" must be one of off, normal, full, extra');
  });
});
