import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { afterEach } from 'vitest';
import { type Child, startChild } from '../../../../test/support/child-process.js';

/** The built CLI; tests run what users run. */
export const BIN = fileURLToPath(new URL('../../dist/migrate.js', import.meta.url));
/** An application that keeps a database open; see the script. */
const APP = fileURLToPath(new URL('./restore-app.mjs', import.meta.url));
/** The app's own migrations folder, when it exists. */
export const REPO_MIGRATIONS = fileURLToPath(new URL('../../../../migrations', import.meta.url));

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first with "pnpm build"`);

/** What a run of the CLI left: its exit code and both streams. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The bundle's files in a folder of their own under `root`, beside which only `packages` can be found (linked from
 * the CLI's own): an install that lacks the others, such as one for sql.js alone. Returns the executable.
 */
export function installBundle(root: string, packages: readonly string[]): string {
  const dist = dirname(BIN);
  const bin = join(root, 'install', 'bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(join(root, 'install', 'node_modules'));
  for (const name of readdirSync(dist)) if (name.startsWith('migrate')) copyFileSync(join(dist, name), join(bin, name));
  for (const name of packages) {
    symlinkSync(realpathSync(join(dirname(dist), 'node_modules', name)), join(root, 'install', 'node_modules', name));
  }
  return join(bin, 'migrate.js');
}

/** A temporary working folder with its own HOME and XDG data folder, removed after the test. */
export interface Sandbox {
  readonly root: string;
  /** Where `migrate` runs: relative `--db` and `--dir` resolve here. */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The database used without `--db`. */
  readonly defaultDb: string;
  run(args: readonly string[], extraEnv?: NodeJS.ProcessEnv): CliResult;
  /** Runs the CLI without blocking, for tests where other processes work meanwhile. */
  start(args: readonly string[]): Promise<CliResult>;
  path(...parts: string[]): string;
}

const sandboxes: string[] = [];
afterEach(() => {
  for (const root of sandboxes.splice(0)) rmSync(root, { recursive: true, force: true });
});

/**
 * A fresh sandbox. The environment has no NO_COLOR, FORCE_COLOR, DEBUG, STRATA_DB or STRATA_DIR, so tests see the
 * defaults.
 */
export function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'strata-cli-'));
  sandboxes.push(root);
  const cwd = join(root, 'work');
  mkdirSync(cwd);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: join(root, 'home'), XDG_DATA_HOME: join(root, 'data') };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'DEBUG', 'TERM', 'STRATA_DB', 'STRATA_DIR']) delete env[name];
  return {
    root,
    cwd,
    env,
    defaultDb: join(root, 'data', 'strata', 'app.db'),
    run: (args, extraEnv = {}) => runCli(args, cwd, { ...env, ...extraEnv }),
    start: (args) => startCli(args, cwd, env),
    path: (...parts) => join(cwd, ...parts),
  };
}

function runCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): CliResult {
  const result: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function startCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * The fields every `--json` document of a command carries, for a database `app.db` (or `db`) in the sandbox, with
 * the default history table and migrations folder.
 */
export function whereFields(box: Sandbox, driver: string, db = box.path('app.db'), exists = true) {
  return {
    database: { file: db, driver, exists, table: 'schema_migrations' },
    migrationsDir: box.path('migrations'),
  };
}

/** A migration folder's files: `up` is required, `down` and `meta` are written when given. */
export interface FixtureMigration {
  readonly up: string;
  readonly down?: string;
  readonly meta?: string;
}

/** Writes a migrations folder, `{ '001_create_users': { up, down } }`. */
export function writeMigrations(dir: string, migrations: Readonly<Record<string, FixtureMigration>>): void {
  for (const [folder, m] of Object.entries(migrations)) {
    mkdirSync(join(dir, folder), { recursive: true });
    writeFileSync(join(dir, folder, 'up.sql'), m.up);
    if (m.down !== undefined) writeFileSync(join(dir, folder, 'down.sql'), m.down);
    if (m.meta !== undefined) writeFileSync(join(dir, folder, 'meta.yaml'), m.meta);
  }
}

/**
 * Three tiny migrations: 001 users, 002 posts (depends on 001), 003 a users index (depends on 001), each with a
 * down.sql.
 */
export const THREE: Readonly<Record<string, FixtureMigration>> = {
  '001_create_users': {
    up: 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n',
    down: 'DROP TABLE users;\n',
  },
  '002_create_posts': {
    up: 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT);\n',
    down: 'DROP TABLE posts;\n',
    meta: 'description: "Posts by users"\ndependencies: ["001"]\n',
  },
  '003_index_emails': {
    up: 'CREATE UNIQUE INDEX idx_users_email ON users (email);\n',
    down: 'DROP INDEX idx_users_email;\n',
    meta: 'dependencies: ["001"]\n',
  },
};

/** A history row as the database holds it. */
export interface HistoryRow {
  readonly version: string;
  readonly name: string;
  readonly applied_at: string;
  readonly checksum: string;
}

/**
 * What a database file holds: its user tables and indexes, and the history rows. Read through a plain better-sqlite3
 * connection opened read-only, whichever driver wrote the file.
 */
export function inspectDb(file: string, table = 'schema_migrations'): { objects: string[]; history: HistoryRow[] } {
  const db = createBetterSqlite3Driver({ filename: file, readonly: true }).database;
  try {
    const objects = db
      .prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    const hasHistory = objects.includes(table);
    const history = hasHistory ? (db.prepare(`SELECT * FROM "${table}" ORDER BY version`).all() as HistoryRow[]) : [];
    return { objects, history };
  } finally {
    db.close();
  }
}

/** The start of any ANSI escape sequence. */
export const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);

/**
 * Runs SQL on a database file outside the CLI, with foreign keys off so tests can break them, leaving the file in the
 * journal mode it has: one the sql.js driver wrote stays in rollback-journal mode, which sql.js needs.
 */
export function execSql(file: string, sql: string): void {
  // Bytes 18 and 19 of the header are 2 in WAL mode.
  const journalMode = existsSync(file) && readFileSync(file).subarray(18, 19)[0] === 2 ? 'wal' : 'delete';
  const db = createBetterSqlite3Driver({ filename: file, foreignKeys: false, journalMode }).database;
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** The emails of the users table of a database file, in id order, read outside the CLI. */
export function emailsIn(file: string): string[] {
  const db = createBetterSqlite3Driver({ filename: file, readonly: true }).database;
  try {
    return db.prepare('SELECT email FROM users ORDER BY id').pluck().all() as string[];
  } finally {
    db.close();
  }
}

/** The number of rows in `table` of a database file, read outside the CLI. */
export function countRows(file: string, table: string): number {
  const db = createBetterSqlite3Driver({ filename: file, readonly: true }).database;
  try {
    return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The emails of the main database file alone, as if its -wal did not exist: the commits not yet checkpointed are missing. */
export function emailsOfMainFile(box: Sandbox, file: string): string[] {
  const copy = box.path('main-file-only.db');
  copyFileSync(file, copy);
  try {
    return emailsIn(copy);
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
  }
}

const children: Child[] = [];
// An application still running at the end of a test is killed.
afterEach(() => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
});

/**
 * Starts the application of restore-app.mjs on `db` and waits until it is ready: better-sqlite3, WAL, the connection kept
 * open.
 */
export async function startApp(input: { db: string; insert?: readonly string[]; keepInWal?: boolean }): Promise<Child> {
  const app = startChild(APP, input);
  children.push(app);
  await app.waitFor((line) => line === 'ready');
  return app;
}

/** Kills an application with SIGKILL, so it neither checkpoints nor closes, and waits until it is gone. */
export async function killApp(app: Child): Promise<void> {
  app.process.kill('SIGKILL');
  await app.exited;
}

/**
 * Remakes the history table of a database file without a PRIMARY KEY, as another tool might have made it, and records
 * `version` a second time, spelled `spelling`, a day after the first.
 */
export function recordTwice(file: string, version: string, spelling = version): void {
  execSql(
    file,
    `CREATE TABLE copied AS SELECT * FROM schema_migrations;
     DROP TABLE schema_migrations;
     ALTER TABLE copied RENAME TO schema_migrations;
     INSERT INTO schema_migrations (version, name, applied_at, checksum, duration_ms)
       SELECT '${spelling}', name, datetime(applied_at, '+1 day'), checksum, duration_ms FROM schema_migrations
       WHERE version = '${version}';`,
  );
}
