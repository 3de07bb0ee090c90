import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { BIN, inspectDb, recordTwice, type Sandbox, sandbox, THREE, writeMigrations } from './support/cli.js';

/** One bad input: how to make it, and what every command must say about it. */
interface BadInput {
  readonly name: string;
  /**
   * Makes the bad input in a sandbox whose migrations folder holds {@link THREE}; `migrate` runs the CLI with the
   * driver under test. Returns extra arguments for the commands.
   */
  readonly setup: (box: Sandbox, migrate: (...args: string[]) => void) => readonly string[] | undefined;
  /** Whether the input lies in the migrations folder alone, so it can be tried on a database that does not exist. */
  readonly folderOnly: boolean;
  readonly code: string;
  /** The version every command's stderr names (`version: 004`, or `(004)` in the status summary). */
  readonly version?: string;
  /** The file each command names, in stderr or, for status, in its problem list. */
  readonly file?: (box: Sandbox) => string;
  /** More that the output must say, such as the byte offset of a bad byte. */
  readonly message?: RegExp;
}

const BAD_INPUTS: readonly BadInput[] = [
  {
    name: 'a folder name that is not NNN_snake_name',
    setup: (box) => void writeMigrations(box.path('migrations'), { '004_Add-Tags': { up: 'SELECT 1;\n' } }),
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    file: () => '004_Add-Tags',
  },
  {
    name: 'two folders with one version',
    setup: (box) =>
      void writeMigrations(box.path('migrations'), {
        '004_add_tags': { up: 'CREATE TABLE tags (id INTEGER);\n' },
        '0004_add_labels': { up: 'CREATE TABLE labels (id INTEGER);\n' },
      }),
    folderOnly: true,
    code: 'DUPLICATE_VERSION',
    version: '0004',
    file: () => '0004_add_labels',
  },
  {
    name: 'a folder without up.sql',
    setup: (box) => {
      mkdirSync(box.path('migrations', '004_add_tags'));
      writeFileSync(box.path('migrations', '004_add_tags', 'down.sql'), 'DROP TABLE tags;\n');
      return undefined;
    },
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_tags/up.sql',
  },
  {
    name: 'an empty up.sql',
    setup: (box) => void writeMigrations(box.path('migrations'), { '004_add_tags': { up: '\ufeff \n\n' } }),
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_tags/up.sql',
  },
  {
    name: 'an up.sql of comments only',
    setup: (box) =>
      void writeMigrations(box.path('migrations'), { '004_add_tags': { up: '-- TODO: write the SQL\n/* later */\n' } }),
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_tags/up.sql',
  },
  {
    name: 'an unknown meta.yaml key',
    setup: (box) =>
      void writeMigrations(box.path('migrations'), { '004_add_tags': { up: 'SELECT 1;\n', meta: 'depends: ["001"]\n' } }),
    folderOnly: true,
    code: 'INVALID_META',
    version: '004',
    file: () => '004_add_tags/meta.yaml',
    message: /unknown key "depends"/,
  },
  {
    name: 'a meta.yaml value of the wrong type',
    setup: (box) =>
      void writeMigrations(box.path('migrations'), { '004_add_tags': { up: 'SELECT 1;\n', meta: 'transaction: "no"\n' } }),
    folderOnly: true,
    code: 'INVALID_META',
    version: '004',
    file: () => '004_add_tags/meta.yaml',
  },
  {
    name: 'a meta.yaml number too large to be read as written',
    setup: (box) =>
      void writeMigrations(box.path('migrations'), { '004_add_tags': { up: 'SELECT 1;\n', meta: 'dependencies: [1e400]\n' } }),
    folderOnly: true,
    code: 'INVALID_META',
    version: '004',
    file: () => '004_add_tags/meta.yaml',
    message: /"dependencies" holds 1e400, a number too large to be read exactly as written/,
  },
  {
    name: 'a YAML alias bomb in meta.yaml',
    setup: (box) => void writeMigrations(box.path('migrations'), { '004_add_tags': { up: 'SELECT 1;\n', meta: aliasBomb() } }),
    folderOnly: true,
    code: 'INVALID_META',
    version: '004',
    file: () => '004_add_tags/meta.yaml',
  },
  {
    name: 'a dependency on a version that does not exist',
    setup: (box) =>
      void writeMigrations(box.path('migrations'), { '004_add_tags': { up: 'SELECT 1;\n', meta: 'dependencies: ["009"]\n' } }),
    folderOnly: true,
    code: 'MISSING_DEPENDENCY',
    version: '004',
    file: () => '004_add_tags/meta.yaml',
  },
  {
    name: 'a dependency cycle',
    setup: (box) =>
      void writeMigrations(box.path('migrations'), {
        '004_add_tags': { up: 'SELECT 1;\n', meta: 'dependencies: ["005"]\n' },
        '005_add_labels': { up: 'SELECT 1;\n', meta: 'dependencies: ["004"]\n' },
      }),
    folderOnly: true,
    code: 'DEPENDENCY_CYCLE',
    version: '004',
    file: () => '004_add_tags/meta.yaml',
    message: /004 → 005 → 004/,
  },
  {
    name: 'an up.sql that is not UTF-8',
    setup: (box) => {
      writeMigrations(box.path('migrations'), { '004_add_cafe': { up: '' } });
      const latin1 = Buffer.concat([Buffer.from('CREATE TABLE caf'), Buffer.from([0xe9]), Buffer.from(' (id INTEGER);\n')]);
      writeFileSync(box.path('migrations', '004_add_cafe', 'up.sql'), latin1);
      return undefined;
    },
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_cafe/up.sql',
    message: /not UTF-8: the byte at offset 16 \(0xe9\)/,
  },
  {
    name: 'a meta.yaml that is not UTF-8',
    setup: (box) => {
      writeMigrations(box.path('migrations'), { '004_add_tags': { up: 'SELECT 1;\n' } });
      const bytes = Buffer.concat([Buffer.from('description: "na'), Buffer.from([0xef, 0xbb]), Buffer.from('ve"\n')]);
      writeFileSync(box.path('migrations', '004_add_tags', 'meta.yaml'), bytes);
      return undefined;
    },
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_tags/meta.yaml',
    message: /offset 16 \(0xef\)/,
  },
  {
    name: 'a NUL byte in up.sql, where SQLite would stop reading it',
    setup: (box) =>
      void writeMigrations(box.path('migrations'), {
        '004_add_tags': { up: 'CREATE TABLE tags (id INTEGER);\0DROP TABLE users;\n' },
      }),
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_tags/up.sql',
    message: /004_add_tags\/up\.sql:1:32: the file holds a NUL byte/,
  },
  {
    name: 'a NUL byte in down.sql',
    setup: (box) =>
      void writeMigrations(box.path('migrations'), {
        '004_add_tags': { up: 'CREATE TABLE tags (id INTEGER);\n', down: 'DROP TABLE tags;\n\0' },
      }),
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_tags/down.sql',
    message: /004_add_tags\/down\.sql:2:1: the file holds a NUL byte/,
  },
  {
    name: 'a NUL byte in meta.yaml',
    setup: (box) =>
      void writeMigrations(box.path('migrations'), {
        '004_add_tags': { up: 'CREATE TABLE tags (id INTEGER);\n', meta: 'description: "tags\0"\n' },
      }),
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_tags/meta.yaml',
    message: /004_add_tags\/meta\.yaml:1:19: the file holds a NUL byte/,
  },
  {
    name: 'a migration folder that is a symbolic link out of the migrations folder',
    setup: (box) => {
      writeMigrations(box.path('elsewhere'), { '004_add_tags': { up: 'CREATE TABLE tags (id INTEGER);\n' } });
      symlinkSync(box.path('elsewhere', '004_add_tags'), box.path('migrations', '004_add_tags'));
      return undefined;
    },
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_tags',
    message: /symbolic link to .*elsewhere.*004_add_tags, outside the migrations folder/,
  },
  {
    name: 'an up.sql that is a symbolic link out of the migrations folder',
    setup: (box) => {
      writeFileSync(box.path('shared.sql'), 'CREATE TABLE tags (id INTEGER);\n');
      mkdirSync(box.path('migrations', '004_add_tags'));
      symlinkSync(join('..', '..', 'shared.sql'), box.path('migrations', '004_add_tags', 'up.sql'));
      return undefined;
    },
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_tags/up.sql',
    message: /outside the migrations folder/,
  },
  {
    name: 'a symbolic link to nothing',
    setup: (box) => {
      symlinkSync(box.path('nowhere'), box.path('migrations', '004_add_tags'));
      return undefined;
    },
    folderOnly: true,
    code: 'INVALID_MIGRATION',
    version: '004',
    file: () => '004_add_tags',
    message: /symbolic link to something that does not exist/,
  },
  {
    name: 'a migrations folder that does not exist',
    setup: () => ['--dir', 'no-such-folder'],
    folderOnly: true,
    code: 'INVALID_OPTION',
    file: (box) => box.path('no-such-folder'),
  },
  {
    name: 'an applied migration whose up.sql was edited',
    setup: (box) =>
      void writeFileSync(box.path('migrations', '002_create_posts', 'up.sql'), 'CREATE TABLE posts (id INTEGER);\n'),
    folderOnly: false,
    code: 'CHECKSUM_MISMATCH',
    version: '002',
    file: () => '002_create_posts/up.sql',
  },
  {
    name: 'applied migrations unknown to the folder',
    setup: (box, migrate) => {
      writeMigrations(box.path('migrations'), { '004_add_tags': { up: 'CREATE TABLE tags (id INTEGER);\n' } });
      migrate();
      rmSync(box.path('migrations', '004_add_tags'), { recursive: true });
      writeMigrations(box.path('migrations'), { '005_add_labels': { up: 'CREATE TABLE labels (id INTEGER);\n' } });
      return undefined;
    },
    folderOnly: false,
    code: 'APPLIED_MISSING',
    version: '004',
    message: /no folder 004_add_tags exists/,
  },
  {
    name: 'a version recorded in two history rows, as a table without a PRIMARY KEY allows',
    setup: (box) => void recordTwice(box.path('app.db'), '002', '0002'),
    folderOnly: false,
    code: 'DUPLICATE_HISTORY',
    version: '002',
    message:
      /records migration 002 \(create_posts\) in 2 rows: 002 applied [\d-]+ [\d:]+, 0002 applied [\d-]+ [\d:]+; repair keeps/,
  },
  {
    name: 'a database file that is not SQLite',
    setup: (box) => void writeFileSync(box.path('app.db'), 'id,email\n1,a@example.com\n'.repeat(200)),
    folderOnly: false,
    code: 'DATABASE_ERROR',
    file: (box) => box.path('app.db'),
    message: /file is not a database/,
  },
  {
    name: 'a database whose schema page is damaged',
    setup: (box) => {
      const bytes = readFileSync(box.path('app.db'));
      // Page 1 holds the schema table; its b-tree header starts after the 100-byte file header. An invalid page type
      // there is damage SQLite meets as soon as it reads the schema, which every command does first.
      bytes.fill(0xff, 100, 112);
      writeFileSync(box.path('app.db'), bytes);
      return undefined;
    },
    folderOnly: false,
    code: 'DATABASE_ERROR',
    file: (box) => box.path('app.db'),
    message: /database disk image is malformed/,
  },
];

/** A meta.yaml whose aliases would expand to 9^9 strings: refused, not expanded. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (const [previous, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi'].map((pair) => [...pair])) {
    lines.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What a database holds on disk: the SHA-256 of the file and of its WAL. An empty WAL counts as none, since it holds
 * nothing; a read-only better-sqlite3 connection leaves one behind.
 */
function snapshot(file: string): { readonly db: string; readonly wal: string } {
  const hash = (path: string) => {
    if (!existsSync(path)) return 'absent';
    const bytes = readFileSync(path);
    return bytes.length === 0 ? 'absent' : createHash('sha256').update(bytes).digest('hex');
  };
  return { db: hash(file), wal: hash(`${file}-wal`) };
}

describe.each(DRIVERS)('every bad input is refused with its code, names where, and changes nothing (--driver %s)', (driver) => {
  const start = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    return { box, run, db: box.path('app.db') };
  };

  it.each(BAD_INPUTS.map((input) => [input.name, input] as const))('%s', (_name, input) => {
    const { box, run, db } = start();
    const migrate = (...args: string[]) => expect(run('migrate', ...args).code).toBe(0);
    migrate();
    const extra = input.setup(box, migrate) ?? [];
    const before = snapshot(db);
    for (const command of ['migrate', 'status', 'validate']) {
      const started = Date.now();
      const result = run(command, ...extra);
      const output = `${result.stdout}${result.stderr}`;
      const context = `${command}:\n${output}`;
      expect(result.code, context).toBe(1);
      expect(result.stderr, context).toContain(input.code);
      if (input.version !== undefined) {
        expect(result.stderr, context).toMatch(new RegExp(`version: ${input.version}\\n|\\(${input.version}\\)`));
      }
      if (input.file !== undefined) {
        expect(command === 'status' ? output : result.stderr, context).toContain(input.file(box));
      }
      if (input.message !== undefined) expect(output, context).toMatch(input.message);
      expect(output, context).not.toMatch(/\n\s+at /);
      expect(snapshot(db), context).toEqual(before);
      // Every refusal is quick; an alias bomb that were expanded would not be.
      expect(Date.now() - started, context).toBeLessThan(10_000);
    }
  });

  it.each(BAD_INPUTS.filter((input) => input.folderOnly).map((input) => [input.name, input] as const))(
    '%s: migrate creates no database file',
    (_name, input) => {
      const { box, run } = start();
      const extra = input.setup(box, () => undefined) ?? [];
      const result = run('migrate', ...extra);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(input.code);
      expect(readdirSync(box.cwd).filter((name) => name.startsWith('app.db'))).toEqual([]);
    },
  );

  it('migrates with --ignore-missing despite applied migrations unknown to the folder, which status still reports', () => {
    const { box, run, db } = start();
    writeMigrations(box.path('migrations'), { '004_add_tags': { up: 'CREATE TABLE tags (id INTEGER);\n' } });
    expect(run('migrate').code).toBe(0);
    rmSync(box.path('migrations', '004_add_tags'), { recursive: true });
    writeMigrations(box.path('migrations'), { '005_add_labels': { up: 'CREATE TABLE labels (id INTEGER);\n' } });

    const dryRun = run('migrate', '--ignore-missing', '--dry-run');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(/^-- 005_add_labels\/up\.sql\n/);

    const result = run('migrate', '--ignore-missing');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ {2}✓ 005 add_labels /);
    expect(inspectDb(db).history.map((row) => row.version)).toEqual(['001', '002', '003', '004', '005']);

    const status = run('status');
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('APPLIED_MISSING (004)');
    expect(run('migrate').stderr).toMatch(/^error APPLIED_MISSING: migration 004 \(add_tags\) is recorded as applied/);
  });
});

/** Makes a Unix socket at `path`, a file that is not a regular one, and returns a function that closes it. */
async function socketAt(path: string): Promise<() => Promise<void>> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(path, done));
  return () => new Promise<void>((done) => server.close(() => done()));
}

describe.each(DRIVERS)('a --db that is not a database file is a usage error, and nothing is touched (--driver %s)', (driver) => {
  const refuses = (box: Sandbox, db: string, message: string) => {
    for (const command of ['migrate', 'status']) {
      const result = box.run(['--driver', driver, '--db', db, command]);
      expect(result, command).toEqual({ code: 2, stdout: '', stderr: `error: ${message}\nRun "strata --help" for usage.\n` });
      const json = box.run(['--driver', driver, '--db', db, command, '--json']);
      expect(json.code, command).toBe(2);
      expect(json.stderr, command).toBe('');
      expect(JSON.parse(json.stdout), command).toEqual({ error: { code: 'USAGE_ERROR', message } });
    }
  };

  it('an empty --db, which would have meant the per-user database', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    refuses(box, '', '--db is empty; name a database file, such as data/app.db');
    expect(existsSync(box.defaultDb)).toBe(false);
  });

  it('a --db that names a folder', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    mkdirSync(box.path('data'));
    const folder = box.path('data');
    refuses(
      box,
      'data',
      `--db names ${folder}, which is a folder, not a database file; name a file in it, such as ${join(folder, 'app.db')}`,
    );
    expect(readdirSync(folder)).toEqual([]);
  });

  it('a --db that names a socket or a named pipe', async () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const close = await socketAt(box.path('app.sock'));
    try {
      refuses(
        box,
        'app.sock',
        `--db names ${box.path('app.sock')}, which is a socket, not a regular file that can hold a database`,
      );
    } finally {
      await close();
    }
    execFileSync('mkfifo', [box.path('app.fifo')]);
    refuses(
      box,
      'app.fifo',
      `--db names ${box.path('app.fifo')}, which is a named pipe, not a regular file that can hold a database`,
    );
    expect(lstatSync(box.path('app.fifo')).isFIFO()).toBe(true);
  });

  it('but a symbolic link to a database file is one', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    expect(box.run(['--driver', driver, '--db', 'app.db', 'migrate']).code).toBe(0);
    symlinkSync('app.db', box.path('link.db'));
    expect(box.run(['--driver', driver, '--db', 'link.db', 'status']).code).toBe(0);
  });
});

describe.each(DRIVERS)('a --db in a folder that does not exist yet (--driver %s)', (driver) => {
  it('is created by a command that writes, and left alone by one that only looks', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    expect(box.run(['--driver', driver, '--db', 'data/app.db', 'status'])).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(box.path('data'))).toBe(false);
    expect(box.run(['--driver', driver, '--db', 'data/nested/app.db', 'migrate'])).toMatchObject({ code: 0, stderr: '' });
    expect(inspectDb(box.path('data', 'nested', 'app.db')).history).toHaveLength(3);
  });

  it('that cannot be created, a file being in the way, is a DATABASE_ERROR naming the path', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    writeFileSync(box.path('data'), 'not a folder\n');
    const folder = box.path('data');
    const file = box.path('data', 'app.db');
    expect(box.run(['--driver', driver, '--db', 'data/app.db', 'migrate'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `error DATABASE_ERROR: the folder ${folder} of the database file ${file} cannot be created (a file is in the way); name a database file in a folder that can be created, or create it first\n  file: ${file}\n`,
    });
    expect(readdirSync(box.cwd).sort()).toEqual(['data', 'migrations']);
    expect(readFileSync(folder, 'utf8')).toBe('not a folder\n');
  });

  // Node's recursive mkdir never returns under /proc, which refuses new entries with ENOENT; the time limit only keeps
  // a hung run from hanging the tests.
  it.skipIf(!existsSync('/proc/self'))('that cannot be created under a folder refusing new entries, is a DATABASE_ERROR', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const file = '/proc/strata-none/app.db';
    const result = spawnSync(process.execPath, [BIN, '--driver', driver, '--db', file, 'migrate'], {
      cwd: box.cwd,
      env: box.env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ code: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: `error DATABASE_ERROR: the folder /proc/strata-none of the database file ${file} cannot be created (ENOENT: no such file or directory, mkdir '/proc/strata-none'); name a database file in a folder that can be created, or create it first\n  file: ${file}\n`,
    });
  });
});

describe.each(DRIVERS)('a failed run into a folder it created (--driver %s)', (driver) => {
  it('takes the folders away again, since they hold nothing', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), { '001_broken': { up: 'CREATE INDEX idx_nothing ON nothing (id);\n' } });
    const result = box.run(['--driver', driver, '--db', 'data/nested/app.db', 'migrate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error MIGRATION_FAILED: migration 001 \(broken\) failed at 001_broken\/up\.sql:1:29/);
    expect(readdirSync(box.cwd)).toEqual(['migrations']);
  });
});
