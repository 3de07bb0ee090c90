import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectDb, installBundle, sandbox, THREE, writeMigrations } from './support/cli.js';

describe('the executable installed without better-sqlite3, for sql.js alone', () => {
  it('refuses the default driver with an INVALID_OPTION saying what to install, and runs with --driver sqljs', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const bin = installBundle(box.root, ['env-paths', 'yaml', 'sql.js']);
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
