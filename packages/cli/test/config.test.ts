import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';

/** Byte 18 of a SQLite file header: 2 once the file is in WAL mode (better-sqlite3), 1 otherwise (sql.js). */
const writeVersion = (file: string) => readFileSync(file)[18];

describe('config file', () => {
  it.each([
    ['strata.config.json', '{ "db": "data/app.db", "dir": "sql/schema", "table": "history" }\n'],
    ['strata.config.yaml', 'db: data/app.db\ndir: sql/schema\ntable: history\n'],
    ['strata.config.yml', '# settings\ndb: data/app.db\ndir: sql/schema\ntable: history\n'],
  ])('%s sets the database, folder and table, relative to its folder', (name, text) => {
    const box = sandbox();
    mkdirSync(box.path('data'));
    writeMigrations(box.path('sql', 'schema'), THREE);
    writeFileSync(box.path(name), text);
    expect(box.run(['migrate']).code).toBe(0);
    expect(inspectDb(box.path('data', 'app.db'), 'history').history).toHaveLength(3);
    expect(box.run(['status']).stdout).toContain('  ✓ 003 - index_emails');
    expect(existsSync(box.defaultDb)).toBe(false);
  });

  it('is overridden by options on the command line', () => {
    const box = sandbox();
    mkdirSync(box.path('data'));
    writeMigrations(box.path('migrations'), THREE);
    writeMigrations(box.path('other'), { '001_only': { up: 'CREATE TABLE only_one (id INTEGER);\n' } });
    writeFileSync(box.path('strata.config.yaml'), 'db: data/app.db\ndir: other\ndriver: sqljs\n');
    expect(box.run(['migrate', '--db', 'cli.db', '--dir', 'migrations', '--driver', 'better-sqlite3']).code).toBe(0);
    expect(inspectDb(box.path('cli.db')).history).toHaveLength(3);
    expect(writeVersion(box.path('cli.db'))).toBe(2);
    expect(existsSync(box.path('data', 'app.db'))).toBe(false);

    expect(box.run(['migrate']).code).toBe(0);
    expect(inspectDb(box.path('data', 'app.db')).history.map((r) => r.name)).toEqual(['only']);
    expect(writeVersion(box.path('data', 'app.db'))).toBe(1);
  });

  it('gives new its migrations folder', () => {
    const box = sandbox();
    writeFileSync(box.path('strata.config.json'), '{ "dir": "db/migrations" }');
    expect(box.run(['new', 'first']).stdout).toContain('Created db/migrations/001_first/');
  });

  it.each([
    [
      'strata.config.json',
      '{ "db": "app.db", "dbb": "x.db" }',
      '"dbb" is not a setting (allowed: db, dir, driver, table, busyTimeoutMs, lockStaleMs, foreignKeys, journalMode, synchronous, backup, versions)',
    ],
    ['strata.config.yaml', 'db: 42\n', '"db" must be a non-empty string'],
    ['strata.config.yaml', 'db: .\n', 'which is a folder, not a database file; name a file in it, such as '],
    ['strata.config.yaml', 'driver: postgres\n', '"driver" must be one of better-sqlite3, sqljs, libsql'],
    ['strata.config.yaml', 'table: "x; DROP TABLE users"\n', '"table" must be a plain identifier'],
    ['strata.config.yml', 'backup: { dir: b, keep: 0 }\n', '"backup.keep" must be a whole number of at least 1'],
    ['strata.config.yml', 'backup: { folder: b }\n', '"backup.folder" is not a setting (allowed: dir, keep)'],
    ['strata.config.yaml', 'backup: yes\n', '"backup" must be an object'],
    ['strata.config.json', '["db"]', 'must hold an object of settings'],
    ['strata.config.json', '{ "db": ', 'is not valid JSON'],
    ['strata.config.yaml', 'db: [unclosed\n', 'is not valid YAML'],
  ])('refuses %s holding %j: exit 1, INVALID_OPTION naming the file and key', (name, text, message) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    writeFileSync(box.path(name), text);
    const result = box.run(['status']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const [first, ...rest] = result.stderr.split('\n');
    expect(first?.startsWith(`error INVALID_OPTION: config file ${box.path(name)}: `)).toBe(true);
    expect(first).toContain(message);
    expect(rest).toContain(`  file: ${box.path(name)}`);
    expect(JSON.parse(box.run(['status', '--json']).stdout)).toEqual({
      error: { code: 'INVALID_OPTION', message: expect.stringContaining(message), file: box.path(name) },
    });
  });

  it('names every mistake in one error', () => {
    const box = sandbox();
    writeFileSync(box.path('strata.config.yaml'), 'db: 1\nsize: 3\n');
    const result = box.run(['status']);
    expect(result.stderr).toMatch(/: "size" is not a setting .*; "db" must be a non-empty string\n/);
  });

  it('refuses two config files at once', () => {
    const box = sandbox();
    writeFileSync(box.path('strata.config.json'), '{}');
    writeFileSync(box.path('strata.config.yml'), 'db: app.db\n');
    const result = box.run(['status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error INVALID_OPTION: strata.config.json and strata.config.yml both exist in /);
  });

  it('is not read for help or the version', () => {
    const box = sandbox();
    writeFileSync(box.path('strata.config.json'), '{ "nonsense": true }');
    expect(box.run(['--help']).code).toBe(0);
    expect(box.run(['status', '--help']).code).toBe(0);
    expect(box.run(['--version']).code).toBe(0);
  });

  it('accepts an empty YAML file and the documented example', () => {
    const box = sandbox();
    writeMigrations(box.path('db', 'migrations'), THREE);
    mkdirSync(box.path('data'));
    writeFileSync(box.path('strata.config.yaml'), '');
    expect(box.run(['validate', '--dir', 'db/migrations']).code).toBe(0);
    const help = box.run(['--help']).stdout;
    const example = help.slice(help.indexOf('Example (strata.config.yaml):\n') + 30, help.indexOf('Exit codes:'));
    writeFileSync(box.path('strata.config.yaml'), example.replace(/^ {2}/gm, ''));
    expect(box.run(['migrate'])).toMatchObject({ code: 0, stderr: '' });
    expect(inspectDb(box.path('data', 'app.db')).history).toHaveLength(3);
  });
});
