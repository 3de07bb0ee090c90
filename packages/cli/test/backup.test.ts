import { existsSync, lstatSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import {
  countRows,
  emailsIn,
  emailsOfMainFile,
  execSql,
  inspectDb,
  killApp,
  sandbox,
  startApp,
  THREE,
  whereFields,
  writeMigrations,
} from './support/cli.js';

const NAME = /^app\.\d{8}T\d{9}Z\.v003\.sqlite$/;

const userCount = (file: string) => countRows(file, 'users');

describe.each(DRIVERS)('backup (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate').code).toBe(0);
    execSql(box.path('app.db'), "INSERT INTO users (email) VALUES ('a@x'), ('b@x')");
    return { box, run };
  };

  it('writes backups/<db>.<time>.v<version>.sqlite beside the database, with the rows, and says so', () => {
    const { box, run } = setup();
    const result = run('backup');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [name = ''] = readdirSync(box.path('backups'));
    expect(name).toMatch(NAME);
    expect(result.stdout).toMatch(
      new RegExp(`^Backed up app\\.db to backups/${name.replace(/\./g, '\\.')} \\([\\d.]+ KiB, version 003\\)\\.\\n$`),
    );
    const copy = box.path('backups', name);
    expect(inspectDb(copy).history.map((r) => r.version)).toEqual(['001', '002', '003']);
    expect(userCount(copy)).toBe(2);
  });

  it('writes exactly --out, and prints the BackupInfo with --json', () => {
    const { box, run } = setup();
    const result = run('backup', '--out', 'copy.db', '--json');
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info).toEqual({
      file: box.path('copy.db'),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      version: '003',
      sizeBytes: statSync(box.path('copy.db')).size,
      removed: [],
      ...whereFields(box, driver),
    });
    expect(userCount(box.path('copy.db'))).toBe(2);
    expect(existsSync(box.path('backups'))).toBe(false);
  });

  it('uses backup.dir from the config file and keeps backup.keep backups of the database', () => {
    const { box, run } = setup();
    writeFileSync(box.path('strata.config.yaml'), 'backup: { dir: saved, keep: 2 }\n');
    writeFileSync(box.path('notes.txt'), 'not a backup');
    for (let i = 0; i < 3; i += 1) expect(run('backup').code).toBe(0);
    const kept = readdirSync(box.path('saved')).sort();
    expect(kept).toHaveLength(2);
    const fourth = run('backup');
    expect(fourth.stdout).toContain(`\nRemoved 1 older backup (keeping 2):\n  - saved/${kept[0]}\n`);
    expect(readdirSync(box.path('saved'))).not.toContain(kept[0]);
    expect(existsSync(box.path('notes.txt'))).toBe(true);
  });

  it('needs no migrations folder', () => {
    const { box } = setup();
    const result = box.run(['--driver', driver, '--db', '../work/app.db', '--dir', 'nowhere', 'backup', '--out', 'x.db']);
    expect(result.code).toBe(0);
    expect(userCount(box.path('x.db'))).toBe(2);
  });

  it('refuses a database that does not exist, exit 1', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const result = box.run(['backup', '--driver', driver, '--db', 'none.db']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error DATABASE_ERROR: database .*none\.db does not exist, so there is nothing to back up\n/);
    expect(existsSync(box.path('none.db'))).toBe(false);
  });
});

describe('backup while another connection writes', () => {
  it('copies the last commit, not a transaction still open', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    expect(box.run(['migrate', '--db', 'app.db']).code).toBe(0);
    const db = createBetterSqlite3Driver({ filename: box.path('app.db') }).database;
    try {
      db.exec("INSERT INTO users (email) VALUES ('committed@x')");
      db.exec("BEGIN IMMEDIATE; INSERT INTO users (email) VALUES ('pending@x')");
      const result = box.run(['backup', '--db', 'app.db', '--out', 'live.db']);
      expect(result.code).toBe(0);
      db.exec('COMMIT');
    } finally {
      db.close();
    }
    expect(userCount(box.path('live.db'))).toBe(1);
    expect(userCount(box.path('app.db'))).toBe(2);
  });
});

describe('backup of a database whose last commits are only in its -wal (--driver better-sqlite3)', () => {
  it.each(['still open', 'killed'])('copies them too (the application that wrote them %s)', async (state) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const db = box.path('app.db');
    expect(box.run(['migrate', '--db', 'app.db']).code).toBe(0);
    execSql(db, "INSERT INTO users (email) VALUES ('a@x')");
    const app = await startApp({ db, insert: ['wal-1@x', 'wal-2@x'], keepInWal: true });
    if (state === 'killed') await killApp(app);
    expect(emailsOfMainFile(box, db)).toEqual(['a@x']);

    const result = box.run(['backup', '--db', 'app.db', '--out', 'copy.db']);
    expect(result.code, result.stderr).toBe(0);
    expect(emailsIn(box.path('copy.db'))).toEqual(['a@x', 'wal-1@x', 'wal-2@x']);
    expect(inspectDb(box.path('copy.db')).history.map((row) => row.version)).toEqual(['001', '002', '003']);
  });

  it('refuses to write over the database through a link to it, exit 1, nothing changed', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    expect(box.run(['migrate', '--db', 'app.db']).code).toBe(0);
    symlinkSync(box.path('app.db'), box.path('link.db'));
    const result = box.run(['backup', '--db', 'app.db', '--out', 'link.db']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error INVALID_OPTION: a backup cannot be written over the database it copies /);
    expect(lstatSync(box.path('link.db')).isSymbolicLink()).toBe(true);
  });
});
