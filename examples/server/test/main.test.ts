import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS, makeTempDir } from '../../../test/support/fixtures.js';

const SERVER_FOLDER = fileURLToPath(new URL('..', import.meta.url));
const APPLIED_NOW = '3 migrations applied (just now: 001_initial_schema, 002_add_performance_indexes, 003_add_user_preferences)';

interface Ended {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node dist/main.js` in the server's folder, as its README starts it, with `env` over a clean environment. */
function startMain(env: Record<string, string>) {
  const { INIT_CWD: _, ...inherited } = process.env;
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: SERVER_FOLDER, env: { ...inherited, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const ended = new Promise<Ended>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  // The URL it listens on, once it says so; undefined when it ends first.
  const listening = new Promise<string | undefined>((resolve) => {
    child.stdout.on('data', () => {
      const url = /^listening on (\S+)$/m.exec(stdout)?.[1];
      if (url !== undefined) resolve(url);
    });
    void ended.then(() => resolve(undefined));
  });
  return { child, ended, listening, lines: () => stdout.split('\n').filter(Boolean) };
}

describe('the example server as a process', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const children: ChildProcess[] = [];
  const run = (env: Record<string, string>) => {
    const started = startMain({ PORT: '0', ...env });
    children.push(started.child);
    return started;
  };

  beforeEach(() => {
    temp = makeTempDir('strata-server-main-');
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    temp.remove();
  });

  it('starts from its folder with the default migrations, logs the database and its counts, and stops on SIGTERM', async () => {
    // A relative DB_FILE is taken from the folder the command was typed in (INIT_CWD, as pnpm passes it).
    const file = join(temp.path, 'case-crafter.db');
    const first = run({ DB_FILE: 'case-crafter.db', INIT_CWD: temp.path });
    const url = await first.listening;
    expect(first.lines()).toEqual([`database ${file}: ${APPLIED_NOW}, 0 pending`, `listening on ${url}`]);
    const health = await fetch(`${url}/health`);
    expect(await health.json()).toMatchObject({ migrations: { applied: 3, pending: 0 } });
    first.child.kill('SIGTERM');
    expect(await first.ended).toMatchObject({ code: 0, stderr: '' });

    const again = run({ DB_FILE: file });
    const second = await again.listening;
    expect(again.lines()).toEqual([`database ${file}: 3 migrations applied, 0 pending`, `listening on ${second}`]);
    again.child.kill('SIGINT');
    expect(await again.ended).toMatchObject({ code: 0, stderr: '' });
  });

  it('turns a failing migration into one line that names the migration and the backup, and exits with 1', async () => {
    const migrations = join(temp.path, 'migrations');
    cpSync(BUILT_IN_MIGRATIONS, migrations, { recursive: true });
    const file = join(temp.path, 'app.db');
    const first = run({ DB_FILE: file, MIGRATIONS: migrations });
    await first.listening;
    first.child.kill('SIGTERM');
    await first.ended;
    mkdirSync(join(migrations, '004_broken'));
    writeFileSync(
      join(migrations, '004_broken', 'up.sql'),
      'ALTER TABLE domains ADD COLUMN colour TEXT;\nINSERT INTO nowhere VALUES (1);\n',
    );

    const ended = await run({ DB_FILE: file, MIGRATIONS: migrations }).ended;
    const [backup] = readdirSync(join(temp.path, 'backups'));
    expect(ended).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'server not started: MIGRATION_FAILED: migration 004 (broken) failed at 004_broken/up.sql:2:13, and the database ' +
        'was left as before it: no such table: nowhere; the database as it was before this run is in ' +
        `${join(temp.path, 'backups', backup ?? '')}\n`,
    });
  });

  it('turns a missing migrations folder into one line, and creates no database', async () => {
    const file = join(temp.path, 'app.db');
    const ended = await run({ DB_FILE: file, MIGRATIONS: 'no-such-folder', INIT_CWD: temp.path }).ended;
    expect(ended).toEqual({
      code: 1,
      stdout: '',
      stderr: `server not started: INVALID_OPTION: migrations folder ${join(temp.path, 'no-such-folder')} does not exist or is not a folder\n`,
    });
    expect(existsSync(file)).toBe(false);
  });

  it('turns a port in use into one line that says what to do, and exits with 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const file = join(temp.path, 'app.db');
      const ended = await run({ DB_FILE: file, PORT: String(port) }).ended;
      expect(ended).toEqual({
        code: 1,
        stdout: `database ${file}: ${APPLIED_NOW}, 0 pending\n`,
        stderr: `server not started: port ${port} on 127.0.0.1 is in use by another program; stop it, or set PORT to another port (0 picks a free one)\n`,
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('refuses a PORT that is not a port number', async () => {
    const ended = await run({ DB_FILE: join(temp.path, 'app.db'), PORT: '80a' }).ended;
    expect(ended).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'server not started: INVALID_OPTION: PORT must be a whole number from 0 to 65535 (0 picks a free port), not "80a"\n',
    });
    expect(existsSync(join(temp.path, 'app.db'))).toBe(false);
  });
});
