import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { ANSI, execSql, sandbox, THREE, writeMigrations } from './support/cli.js';

const sql = execSql;

describe.each(DRIVERS)('stats (--driver %s)', (driver) => {
  const setup = (...migrateArgs: string[]) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate', ...migrateArgs).code).toBe(0);
    return { box, run, db: box.path('app.db') };
  };

  it('lists the tables with aligned row counts, the migrations, the checks, and health ok', () => {
    const { run, db } = setup();
    sql(db, "INSERT INTO users (email) VALUES ('a@x'), ('b@x'); INSERT INTO posts (user_id, title) VALUES (1, 'hi');");
    const before = readFileSync(db);
    const result = run('stats');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Database: app\.db \((better-sqlite3|sqljs)\)\n {2}file +[\d.]+ (B|KiB) on disk; WAL /);
    expect(result.stdout).toMatch(/\n {2}schema +3 tables, 1 index, 0 triggers, 0 views\n/);
    expect(result.stdout).toContain(
      ['Tables:', '  posts              1', '  schema_migrations  3  (history)', '  users              2', ''].join('\n'),
    );
    expect(result.stdout).toMatch(/\nMigrations: 3 applied, 0 pending; last 003 index_emails \(applied: [\d-]+ [\d:]+\)\n/);
    expect(result.stdout).toMatch(/\n {2}001 create_users +(<1|\d+) ms\n {2}002 create_posts +(<1|\d+) ms\n/);
    expect(result.stdout).toMatch(/\n {2}total +(<1|\d+) ms\n/);
    expect(result.stdout).toMatch(/\nChecks:\n {2}quick_check +ok\n {2}foreign keys +ok\n\nHealth: ok\n$/);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('prints the stats and the file with --json', () => {
    const { run, db } = setup();
    const result = run('stats', '--json');
    expect(result.code).toBe(0);
    const stats = JSON.parse(result.stdout);
    expect(stats).toMatchObject({
      tables: [
        { name: 'posts', rows: 0, history: false },
        { name: 'schema_migrations', rows: 3, history: true },
        { name: 'users', rows: 0, history: false },
      ],
      indexes: 1,
      pageSize: expect.any(Number),
      freelistCount: 0,
      journalMode: expect.any(String),
      migrations: { applied: 3, pending: 0, last: { version: '003', name: 'index_emails' }, problems: [] },
      checks: { quickCheck: ['ok'], foreignKeyViolations: [] },
      health: { status: 'ok', reasons: [] },
      file: { path: db, sizeBytes: expect.any(Number), walSizeBytes: expect.any(Number) },
    });
    expect(stats.migrations.durations.map((d: { version: string }) => d.version)).toEqual(['001', '002', '003']);
    expect(stats.sizeBytes).toBe(stats.pageSize * stats.pageCount);
  });

  it('warns about pending migrations, exit 0', () => {
    const { run } = setup('--to', '001');
    const result = run('stats');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Migrations: 1 applied, 2 pending;');
    expect(result.stdout).toMatch(/\nHealth: warning\n {2}- 2 migration\(s\) pending \(002, 003\); run migrate\n$/);
  });

  it('reports foreign key violations as an error, exit 1 with the reason on stderr', () => {
    const { run, db } = setup();
    sql(db, "INSERT INTO posts (user_id, title) VALUES (42, 'orphan');");
    const result = run('stats');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\n {2}foreign keys +1 violation\n {4}posts row 1 → missing users row\n/);
    expect(result.stdout).toMatch(/\nHealth: error\n {2}- 1 foreign-key violation/);
    expect(result.stderr).toMatch(/^stats: health is error: 1 foreign-key violation/);
    const json = run('stats', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).checks.foreignKeyViolations).toEqual([{ table: 'posts', rowid: 1, parent: 'users', fkid: 0 }]);
  });

  it('colours the verdict green, yellow or red only when colour is allowed', () => {
    const { box, db } = setup('--to', '002');
    const stats = (env: NodeJS.ProcessEnv) => box.run(['--driver', driver, '--db', 'app.db', 'stats'], env).stdout;
    expect(stats({ FORCE_COLOR: '1' })).toContain('Health: \u001b[33mwarning\u001b[39m');
    expect(stats({})).not.toMatch(ANSI);
    expect(box.run(['--driver', driver, '--db', 'app.db', 'migrate']).code).toBe(0);
    expect(stats({ FORCE_COLOR: '1' })).toContain('Health: \u001b[32mok\u001b[39m');
    sql(db, 'INSERT INTO posts (user_id) VALUES (7);');
    expect(stats({ FORCE_COLOR: '1' })).toContain('Health: \u001b[31merror\u001b[39m');
    expect(stats({ FORCE_COLOR: '1', NO_COLOR: '1' })).not.toMatch(ANSI);
  });

  it('refuses a database that does not exist, creating nothing', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const result = box.run(['stats', '--driver', driver, '--db', 'none.db']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error DATABASE_ERROR: database .*none\.db does not exist; run migrate to create it\n/);
  });
});
