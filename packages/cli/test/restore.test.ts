import { type ChildProcess, spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/child-process.js';
import { crashSeed } from '../../../test/support/crash.js';
import { DRIVERS, type DriverName } from '../src/args.js';
import {
  BIN,
  countRows,
  emailsIn,
  emailsOfMainFile,
  execSql as exec,
  inspectDb,
  killApp,
  type Sandbox,
  sandbox,
  startApp,
  THREE,
  whereFields,
  writeMigrations,
} from './support/cli.js';

const userCount = (file: string) => countRows(file, 'users');

/** A migrated database with two users, a@x and b@x, and a backup of it at backup.db. */
function setupFor(driver: DriverName, ...migrateArgs: string[]) {
  const box = sandbox();
  writeMigrations(box.path('migrations'), THREE);
  const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
  expect(run('migrate', ...migrateArgs).code).toBe(0);
  exec(box.path('app.db'), "INSERT INTO users (email) VALUES ('a@x'), ('b@x')");
  expect(run('backup', '--out', 'backup.db').code).toBe(0);
  return { box, run, db: box.path('app.db') };
}

/** Runs SQL on a new or existing database file in rollback-journal mode, which the sql.js driver reads whole. */
function execRollbackMode(file: string, sql: string): void {
  const db = createBetterSqlite3Driver({ filename: file, journalMode: 'delete' }).database;
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

describe.each(DRIVERS)('restore (--driver %s)', (driver) => {
  const setup = (...migrateArgs: string[]) => setupFor(driver, ...migrateArgs);

  it('puts the rows of the backup back, and says what it checked', () => {
    const { run, db } = setup();
    exec(db, "DELETE FROM users; INSERT INTO users (email) VALUES ('new@x')");
    const result = run('restore', 'backup.db');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n')).toEqual([
      'Checked backup.db:',
      '  SQLite file  ok',
      '  quick_check  ok',
      '  history      3 migrations applied, last 003; checksums match the migrations folder',
      '  pending      none',
      'Restored app.db from backup.db.',
      expect.stringMatching(/^The replaced database was kept in backups\/app\.\d{8}T\d{9}Z\.v003\.sqlite\.$/),
      '',
    ]);
    expect(userCount(db)).toBe(2);
    const kept = result.stdout.match(/kept in (\S+)\.\n/)?.[1] ?? '';
    expect(userCount(join(dirname(db), kept))).toBe(1);
    expect(run('status').code).toBe(0);
  });

  it('leaves the migrations the backup had not applied pending, and prints the check with --json', () => {
    const { box, run, db } = setup('--to', '001');
    expect(run('migrate').code).toBe(0);
    const result = run('restore', 'backup.db', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      databaseFile: db,
      check: expect.objectContaining({ file: box.path('backup.db'), version: '001', pending: ['002', '003'], ok: true }),
      ...whereFields(box, driver),
    });
    expect(inspectDb(db).history.map((r) => r.version)).toEqual(['001']);
    expect(run('status').stdout).toContain('Pending migrations:\n  ○ 002 - create_posts\n  ○ 003 - index_emails\n');
  });

  it.each([
    ['not-sqlite.txt', 'These are notes. '.repeat(20), /is not a SQLite database: it does not start with "SQLite format 3"/],
    ['missing.db', undefined, /missing\.db does not exist/],
    ['backups', null, /backups is a folder, not a SQLite database file: name a file in it\n/],
  ])('refuses %s: exit 1, DATABASE_ERROR naming the file, nothing changed', (name, text, message) => {
    const { box, run, db } = setup();
    if (typeof text === 'string') writeFileSync(box.path(name), text);
    if (text === null) mkdirSync(box.path(name));
    const before = readFileSync(db);
    const result = run('restore', name, '--force');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^error DATABASE_ERROR: ${box.path(name)} `));
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(`  file: ${box.path(name)}\n`);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('refuses a damaged backup even with --force', () => {
    const { box, run, db } = setup();
    const fd = openSync(box.path('backup.db'), 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096);
    closeSync(fd);
    const result = run('restore', 'backup.db', '--force');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error DATABASE_ERROR: backup .*backup\.db is damaged \(/);
    expect(userCount(db)).toBe(2);
  });

  it('refuses a backup whose checksums differ, naming the versions, unless --force', () => {
    const { box, run, db } = setup();
    appendFileSync(box.path('migrations', '002_create_posts', 'up.sql'), '-- edited\n');
    exec(db, 'DELETE FROM users');
    const before = readFileSync(db);

    const refused = run('restore', 'backup.db');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /^error CHECKSUM_MISMATCH: backup .*backup\.db does not match the migrations: 002 was applied/,
    );
    expect(refused.stderr).toContain('  version: 002\n');
    expect(readFileSync(db).equals(before)).toBe(true);

    const json = JSON.parse(run('restore', 'backup.db', '--json').stdout);
    expect(json.error).toMatchObject({ code: 'CHECKSUM_MISMATCH', version: '002', file: box.path('backup.db') });
    expect(json.error.problems).toEqual([expect.objectContaining({ code: 'CHECKSUM_MISMATCH', version: '002' })]);

    const forced = run('restore', 'backup.db', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(
      '  history      3 migrations applied, last 003; differs from the migrations folder: 002 (up.sql changed)\n',
    );
    expect(forced.stdout).toContain('Restored app.db from backup.db despite the differences (--force).\n');
    expect(userCount(db)).toBe(2);
  });

  it('lists every difference when versions differ in more than one way', () => {
    const { box, run } = setup();
    appendFileSync(box.path('migrations', '002_create_posts', 'up.sql'), '-- edited\n');
    rmSync(box.path('migrations', '003_index_emails'), { recursive: true });
    const result = run('restore', 'backup.db');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error VALIDATION_FAILED: backup .* 002 was applied from a different up\.sql.*, 003 is recorded but/,
    );
    expect(result.stderr).toMatch(/^ {2}CHECKSUM_MISMATCH: /m);
    expect(result.stderr).toMatch(/^ {2}APPLIED_MISSING: /m);
  });

  it.each([
    ['hard', linkSync],
    ['symbolic', symlinkSync],
  ])('refuses the database itself through a %s link: exit 1, INVALID_OPTION, nothing changed', (_, link) => {
    const { box, run, db } = setup();
    link(db, box.path('alias.db'));
    const before = readFileSync(db);
    const result = run('restore', 'alias.db', '--force');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(`^error INVALID_OPTION: ${box.path('alias.db')} is the database ${db} itself \\(the same file`),
    );
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(existsSync(box.path('backups'))).toBe(false);
  });

  it.each([
    ['no history table', 'plain.db', 'it has no schema_migrations table'],
    ['a trigger on the history table', 'hooked.db', 'trigger wipe_users is attached to schema_migrations'],
  ])('refuses a file with %s unless --force: exit 1, INVALID_OPTION naming the file and why', (_, name, why) => {
    const { box, run, db } = setup();
    const other = box.path(name);
    if (name === 'plain.db') {
      execRollbackMode(
        other,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL); INSERT INTO users (email) VALUES ('z@x');",
      );
    } else {
      copyFileSync(box.path('backup.db'), other);
      // What it would do: every migration recorded from now on would empty the users table.
      execRollbackMode(other, 'CREATE TRIGGER wipe_users AFTER INSERT ON schema_migrations BEGIN DELETE FROM users; END;');
    }
    exec(db, "INSERT INTO users (email) VALUES ('c@x')");
    const before = readFileSync(db);

    const refused = run('restore', name);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(new RegExp(`^error INVALID_OPTION: backup ${other} is not a database of these migrations: `));
    expect(refused.stderr).toContain(why);
    expect(refused.stderr).toContain('nothing was restored (use force to restore it anyway)');
    expect(refused.stderr).toContain(`  file: ${other}\n`);
    expect(readFileSync(db).equals(before)).toBe(true);

    const forced = run('restore', name, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`  history      not a database of these migrations: ${why}`);
    expect(forced.stdout).toContain(`Restored app.db from ${name} despite the differences (--force).\n`);
    expect(emailsIn(db)).toEqual(name === 'plain.db' ? ['z@x'] : ['a@x', 'b@x']);
  });
});

describe('restore while an application keeps the database open (--driver better-sqlite3)', () => {
  it("copies the backup into the application's database: its open connection reads the restored rows, and a row it writes afterwards is kept", async () => {
    const { run, db } = setupFor('better-sqlite3');
    const inode = statSync(db).ino;
    const app = await startApp({ db, insert: ['c@x'] });
    const result = run('restore', 'backup.db', '--json');
    expect(result.code, result.stderr).toBe(0);
    const { check } = JSON.parse(result.stdout);

    app.process.kill('SIGUSR2');
    expect(await app.waitFor((line) => line.startsWith('seen '))).toBe(`seen ${JSON.stringify(['a@x', 'b@x'])}`);
    await app.waitFor((line) => line === 'wrote');
    await app.exited;
    expect(emailsIn(db)).toEqual(['a@x', 'b@x', 'after-restore@x']);
    // The database it replaced was kept, with the application's last commit.
    expect(emailsIn(check.previous.file)).toEqual(['a@x', 'b@x', 'c@x']);
    // Restored in place: the file the application holds open is the database.
    expect(statSync(db).ino).toBe(inode);
  });

  it.each(['still open', 'killed'])(
    'keeps a copy of the replaced database that holds the commits only its -wal had (the application %s)',
    async (state) => {
      const { box, run, db } = setupFor('better-sqlite3');
      const app = await startApp({ db, insert: ['wal-1@x', 'wal-2@x'], keepInWal: true });
      if (state === 'killed') await killApp(app);
      expect(emailsOfMainFile(box, db)).toEqual(['a@x', 'b@x']);

      const result = run('restore', 'backup.db', '--json');
      expect(result.code, result.stderr).toBe(0);
      const { check } = JSON.parse(result.stdout);
      expect(emailsIn(check.previous.file)).toEqual(['a@x', 'b@x', 'wal-1@x', 'wal-2@x']);
      expect(emailsIn(db)).toEqual(['a@x', 'b@x']);
      expect(inspectDb(db).history.map((row) => row.version)).toEqual(['001', '002', '003']);
    },
  );

  it('keeps a symbolic link to the database a link, and restores into its target', () => {
    const { box, run, db } = setupFor('better-sqlite3');
    mkdirSync(box.path('data'));
    const target = box.path('data', 'real.db');
    renameSync(db, target);
    symlinkSync(target, db);
    exec(db, "DELETE FROM users; INSERT INTO users (email) VALUES ('c@x')");
    const result = run('restore', 'backup.db');
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(db).isSymbolicLink()).toBe(true);
    expect(emailsIn(target)).toEqual(['a@x', 'b@x']);
  });
});

describe.each(DRIVERS)('restore from a backup whose last commits are only in its -wal (--driver %s)', (driver) => {
  it.each(['still open', 'killed'])('reads them through SQLite, or refuses (the process that wrote them %s)', async (state) => {
    const { box, run, db } = setupFor(driver);
    const source = box.path('source.db');
    copyFileSync(box.path('backup.db'), source);
    const writer = await startApp({ db: source, insert: ['src-1@x', 'src-2@x'], keepInWal: true });
    if (state === 'killed') await killApp(writer);
    expect(emailsOfMainFile(box, source)).toEqual(['a@x', 'b@x']);
    exec(db, 'DELETE FROM users');
    const before = readFileSync(db);

    const result = run('restore', 'source.db');
    if (driver === 'better-sqlite3') {
      expect(result.code, result.stderr).toBe(0);
      expect(emailsIn(db)).toEqual(['a@x', 'b@x', 'src-1@x', 'src-2@x']);
    } else {
      // sql.js reads the main file alone, which lacks those commits.
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^error DATABASE_ERROR: ${source}-wal holds \\d+ bytes of commits`));
      expect(result.stderr).toContain(`  file: ${source}\n`);
      expect(readFileSync(db).equals(before)).toBe(true);
      expect(existsSync(box.path('backups')) ? readdirSync(box.path('backups')) : []).toEqual([]);
    }
  });
});

describe.each(DRIVERS)('killing a restore at random moments (--driver %s)', (driver) => {
  const KILLS = 6;

  /** Starts `migrate restore` on `db` as a process of its own. */
  const startRestore = (box: Sandbox, db: string): { process: ChildProcess; exited: Promise<number | null> } => {
    const args = ['--driver', driver, '--db', db, '--dir', box.path('migrations'), 'restore', box.path('backup.db')];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: box.cwd, env: box.env, stdio: 'ignore' });
    return { process: child, exited: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
  };

  it('leaves a database that passes quick_check and holds every committed row of either the old content or the backup', async () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const template = box.path('template.db');
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', template, ...args]);
    const fill = (prefix: string, rows: number) =>
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) ` +
      `INSERT INTO users (email) SELECT '${prefix}-' || i || '@x' FROM n;`;
    expect(run('migrate').code).toBe(0);
    execRollbackMode(template, fill('restored', 300_000));
    expect(run('backup', '--out', 'backup.db').code).toBe(0);
    execRollbackMode(template, `DELETE FROM users; ${fill('old', 200_000)}`);
    // With SQLite, the old content also has commits that only its -wal holds, from an application that was killed.
    if (driver === 'better-sqlite3')
      await killApp(await startApp({ db: template, insert: ['wal-1@x', 'wal-2@x'], keepInWal: true }));
    const contents = { old: emailsIn(template).join(), restored: emailsIn(box.path('backup.db')).join() };
    if (driver === 'better-sqlite3') expect(contents.old).toContain('wal-2@x');

    const fresh = (name: string) => {
      const db = box.path(name, 'app.db');
      mkdirSync(dirname(db));
      for (const suffix of ['', '-wal'])
        if (existsSync(`${template}${suffix}`)) copyFileSync(`${template}${suffix}`, `${db}${suffix}`);
      return db;
    };
    const contentOf = (db: string) => {
      const connection = createBetterSqlite3Driver({ filename: db, readonly: true }).database;
      try {
        expect(connection.pragma('quick_check', { simple: true })).toBe('ok');
        return connection.prepare('SELECT email FROM users ORDER BY id').pluck().all().join();
      } finally {
        connection.close();
      }
    };

    // The restore proper starts as it makes the backups folder, for the copy of the database it replaces; before
    // that the process only starts and checks the backup. So each kill waits for the folder, then lands at a random
    // moment of its own sixth of the time the rest took in a whole run.
    const started = async (restore: ReturnType<typeof startRestore>, db: string) => {
      let done = false;
      void restore.exited.then(() => {
        done = true;
      });
      while (!done && !existsSync(join(dirname(db), 'backups'))) await sleep(1);
      return performance.now();
    };
    const wholeDb = fresh('whole');
    const whole = startRestore(box, wholeDb);
    const restoring = await started(whole, wholeDb);
    expect(await whole.exited).toBe(0);
    const duration = performance.now() - restoring;
    expect(contentOf(wholeDb)).toBe(contents.restored);

    const random = seededRandom(crashSeed());
    const seen: string[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const db = fresh(`kill-${kill}`);
      const restore = startRestore(box, db);
      await started(restore, db);
      await sleep(((kill + random()) / KILLS) * duration);
      restore.process.kill('SIGKILL');
      await restore.exited;
      const content = contentOf(db);
      const which = content === contents.old ? 'old' : content === contents.restored ? 'restored' : 'neither';
      expect(which, `kill ${kill} at seed ${crashSeed()}`).not.toBe('neither');
      seen.push(which);
    }
    expect(seen).toHaveLength(KILLS);
  }, 120_000);
});
