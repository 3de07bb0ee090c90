import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, type CliResult, inspectDb, type Sandbox, sandbox, THREE, writeMigrations } from './support/cli.js';

/** Runs the CLI in `folder` of the sandbox rather than its working folder. */
function runIn(box: Sandbox, folder: string, args: readonly string[]): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: folder, env: box.env, encoding: 'utf8' });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe('config file search', () => {
  it('finds the config file of a folder above, up to the repository root; its paths stay relative to it', () => {
    const box = sandbox();
    mkdirSync(box.path('.git'));
    mkdirSync(box.path('data'));
    mkdirSync(box.path('src', 'deep'), { recursive: true });
    writeMigrations(box.path('db', 'migrations'), THREE);
    writeFileSync(box.path('strata.config.yaml'), 'db: data/app.db\ndir: db/migrations\n');
    expect(runIn(box, box.path('src', 'deep'), ['migrate']).code).toBe(0);
    expect(inspectDb(box.path('data', 'app.db')).history).toHaveLength(3);
    expect(existsSync(box.defaultDb)).toBe(false);
  });

  it('stops at the repository root: a config file above it is not read', () => {
    const box = sandbox();
    writeFileSync(box.path('strata.config.yaml'), 'db: outer.db\n');
    mkdirSync(box.path('repo', '.git'), { recursive: true });
    writeMigrations(box.path('repo', 'migrations'), THREE);
    const result = runIn(box, box.path('repo'), ['migrate', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).database.file).toBe(box.defaultDb);
    expect(existsSync(box.path('outer.db'))).toBe(false);
  });

  it('the nearest config file wins over one further up', () => {
    const box = sandbox();
    writeFileSync(box.path('strata.config.yaml'), 'db: outer.db\n');
    mkdirSync(box.path('app'));
    writeFileSync(box.path('app', 'strata.config.json'), '{ "db": "inner.db", "dir": "../migrations" }');
    writeMigrations(box.path('migrations'), THREE);
    expect(runIn(box, box.path('app'), ['migrate']).code).toBe(0);
    expect(inspectDb(box.path('app', 'inner.db')).history).toHaveLength(3);
    expect(existsSync(box.path('outer.db'))).toBe(false);
  });
});

describe('STRATA_DB and STRATA_DIR', () => {
  it('set the database and migrations folder, relative to the working folder', () => {
    const box = sandbox();
    writeMigrations(box.path('sql'), THREE);
    expect(box.run(['migrate'], { STRATA_DB: 'env.db', STRATA_DIR: 'sql' }).code).toBe(0);
    expect(inspectDb(box.path('env.db')).history).toHaveLength(3);
    expect(existsSync(box.defaultDb)).toBe(false);
  });

  it('come after the command line and before the config file', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    writeMigrations(box.path('sql'), { '001_only': { up: 'CREATE TABLE only_one (id INTEGER);\n' } });
    writeFileSync(box.path('strata.config.yaml'), 'db: config.db\ndir: migrations\n');
    const env = { STRATA_DB: 'env.db', STRATA_DIR: 'sql' };
    expect(box.run(['migrate', '--db', 'cli.db', '--dir', 'migrations'], env).code).toBe(0);
    expect(inspectDb(box.path('cli.db')).history).toHaveLength(3);
    expect(box.run(['migrate'], env).code).toBe(0);
    expect(inspectDb(box.path('env.db')).history.map((r) => r.name)).toEqual(['only']);
    expect(existsSync(box.path('config.db'))).toBe(false);
    expect(box.run(['migrate'], { STRATA_DB: '', STRATA_DIR: '' }).code).toBe(0);
    expect(inspectDb(box.path('config.db')).history).toHaveLength(3);
  });

  it('STRATA_DB naming a folder is a usage error naming the variable', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const result = box.run(['status', '--json'], { STRATA_DB: '.' });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'USAGE_ERROR', message: expect.stringContaining('STRATA_DB') });
  });

  it('are named in the help, with the config file search', () => {
    const help = sandbox().run(['--help']).stdout;
    expect(help).toContain('STRATA_DB');
    expect(help).toContain('STRATA_DIR');
    expect(help).toContain('up to the repository root');
  });
});

describe('paths through a package script', () => {
  it('are relative to the folder the command was typed in, not the package root', () => {
    const box = sandbox();
    writeFileSync(
      box.path('package.json'),
      JSON.stringify({ name: 'app', private: true, scripts: { migrate: `node ${JSON.stringify(BIN)}` } }),
    );
    mkdirSync(box.path('.git'));
    writeMigrations(box.path('services', 'api', 'migrations'), THREE);
    const result = spawnSync('pnpm', ['-s', 'migrate', 'migrate', '--db', 'api.db', '--json'], {
      cwd: box.path('services', 'api'),
      env: box.env,
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).database.file).toBe(box.path('services', 'api', 'api.db'));
    expect(inspectDb(box.path('services', 'api', 'api.db')).history).toHaveLength(3);
    expect(existsSync(box.path('api.db'))).toBe(false);
  });
});
