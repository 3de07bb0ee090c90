import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { sandbox, THREE, writeMigrations } from './support/cli.js';

const READ_ONLY = [['status'], ['validate'], ['stats'], ['migrate', '--dry-run']];

describe.each(DRIVERS)('read-only commands (--driver %s)', (driver) => {
  it.each(DRIVERS)('leave no -wal, -shm or -journal beside a database written by %s, nor change it', (writer) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    expect(box.run(['--driver', writer, '--db', 'app.db', 'migrate', '--to', '002']).code).toBe(0);
    const files = () => readdirSync(box.cwd).sort();
    expect(files()).toEqual(['app.db', 'migrations']);
    const before = readFileSync(box.path('app.db'));
    for (const command of READ_ONLY) {
      const result = box.run(['--driver', driver, '--db', 'app.db', ...command]);
      // sqljs refuses a WAL file (better-sqlite3's) outright; it must still leave nothing behind.
      if (!(driver === 'sqljs' && writer === 'better-sqlite3')) expect(result.code).toBe(0);
      expect(files()).toEqual(['app.db', 'migrations']);
    }
    expect(readFileSync(box.path('app.db')).equals(before)).toBe(true);
  });

  it('never create the database file', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    for (const command of READ_ONLY) {
      box.run(['--driver', driver, '--db', 'app.db', ...command]);
      expect(existsSync(box.path('app.db'))).toBe(false);
    }
    for (const command of READ_ONLY) box.run(['--driver', driver, ...command]);
    expect(existsSync(box.defaultDb)).toBe(false);
    expect(readdirSync(box.cwd)).toEqual(['migrations']);
  });
});
