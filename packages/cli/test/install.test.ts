import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';

const DIST = dirname(BIN);
const PACKAGE = dirname(DIST);

describe('the executable installed without better-sqlite3, for sql.js alone', () => {
  /** The bundle's files in a folder of their own, beside which only yaml, env-paths and sql.js can be found. */
  function installed(root: string): string {
    const bin = join(root, 'install', 'bin');
    mkdirSync(bin, { recursive: true });
    mkdirSync(join(root, 'install', 'node_modules'));
    for (const name of readdirSync(DIST)) if (name.startsWith('migrate')) copyFileSync(join(DIST, name), join(bin, name));
    for (const name of ['env-paths', 'yaml', 'sql.js']) {
      symlinkSync(realpathSync(join(PACKAGE, 'node_modules', name)), join(root, 'install', 'node_modules', name));
    }
    return join(bin, 'migrate.js');
  }

  it('refuses the default driver with an INVALID_OPTION saying what to install, and runs with --driver sqljs', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const bin = installed(box.root);
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { cwd: box.cwd, env: box.env, encoding: 'utf8' });

    for (const command of ['migrate', 'status']) {
      const refused = run('--db', 'data/app.db', command);
      expect({ code: refused.status, stdout: refused.stdout, stderr: refused.stderr }).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'error INVALID_OPTION: the better-sqlite3 driver (the default) needs the better-sqlite3 package, which is not ' +
          'installed: install it (npm install better-sqlite3@12), or pass --driver sqljs to use sql.js (npm install sql.js)\n',
      });
    }
    expect(readdirSync(box.cwd)).toEqual(['migrations']);

    const migrated = run('--driver', 'sqljs', '--db', 'data/app.db', 'migrate');
    expect(migrated.status).toBe(0);
    expect(migrated.stdout).toMatch(/^Applied 3 migrations in \d+ ms\.\n$/m);
    expect(inspectDb(box.path('data', 'app.db')).history).toHaveLength(3);
  });
});
