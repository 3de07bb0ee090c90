import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS, makeTempDir } from '../../../test/support/fixtures.js';
import { type RunningService, startService } from '../src/server.js';

describe('the example server', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: string;
  let running: RunningService | undefined;
  const lines: string[] = [];
  const start = async (migrations = BUILT_IN_MIGRATIONS) => {
    running = await startService({ file, migrations, host: '127.0.0.1', port: 0, log: (line) => lines.push(line) });
    return running;
  };
  const stop = async () => {
    await running?.close();
    running = undefined;
  };
  const get = async (path: string) => {
    const response = await fetch(`${running?.url}${path}`);
    return { status: response.status, body: (await response.json()) as unknown };
  };

  beforeEach(() => {
    temp = makeTempDir('strata-server-');
    file = join(temp.path, 'case-crafter.db');
    lines.length = 0;
  });
  afterEach(async () => {
    await stop();
    temp.remove();
  });

  it('migrates at boot, serves the data, and applies nothing again after a restart', async () => {
    const service = await start();
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines).toEqual([
      `database ${file}: 3 migrations applied (just now: 001_initial_schema, 002_add_performance_indexes, 003_add_user_preferences), 0 pending`,
      `listening on ${service.url}`,
    ]);

    const domains = await get('/domains');
    expect(domains.status).toBe(200);
    expect((domains.body as { slug: string }[]).map((d) => d.slug)).toEqual([
      'business',
      'education',
      'engineering',
      'law',
      'medicine',
    ]);
    expect((await get('/settings')).body).toMatchObject({ language: 'en', passing_score: '70', theme: 'system' });
    expect((await get('/domains/law/case-studies')).body).toEqual([]);
    expect((await get('/domains/astrology/case-studies')).status).toBe(404);
    expect((await get('/health')).body).toMatchObject({ health: { status: 'ok' }, migrations: { applied: 3, pending: 0 } });
    const before = (await get('/migrations')).body as { applied: { version: string; appliedAt: string }[] };
    expect(before.applied.map((m) => m.version)).toEqual(['001', '002', '003']);
    expect((await get('/nowhere')).status).toBe(404);
    expect((await fetch(`${service.url}/domains`, { method: 'POST' })).status).toBe(405);

    await stop();
    lines.length = 0;
    const again = await start();
    expect(lines).toEqual([`database ${file}: 3 migrations applied, 0 pending`, `listening on ${again.url}`]);
    expect(again.db.startup.backup).toBeUndefined();
    expect((await get('/migrations')).body).toEqual(before);
  });

  it('refuses to start when a migration fails, names the backup, and leaves the database as it was', async () => {
    const migrations = join(temp.path, 'migrations');
    cpSync(BUILT_IN_MIGRATIONS, migrations, { recursive: true });
    await start(migrations);
    await running?.db.kysely.insertInto('domains').values({ slug: 'design', name: 'Design', description: null }).execute();
    await stop();

    mkdirSync(join(migrations, '004_broken'));
    writeFileSync(
      join(migrations, '004_broken', 'up.sql'),
      'ALTER TABLE domains ADD COLUMN colour TEXT;\nINSERT INTO nowhere VALUES (1);\n',
    );
    const error = await start(migrations).catch((e: unknown) => e);
    expect(running).toBeUndefined();
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', version: '004', file: '004_broken/up.sql' });
    const { backupFile, message } = error as { backupFile: string; message: string };
    expect(message).toContain('no such table: nowhere');
    expect(message).toContain(backupFile);
    expect(existsSync(backupFile)).toBe(true);

    // The backup holds the state before the run, and the live database is that state too.
    for (const candidate of [file, backupFile]) {
      const service = await startService({ file: candidate, migrations: BUILT_IN_MIGRATIONS, port: 0 });
      const domains = await service.db.kysely.selectFrom('domains').select('slug').execute();
      expect(domains.map((d) => d.slug)).toContain('design');
      expect((await service.db.migrations.status()).applied.map((m) => m.version)).toEqual(['001', '002', '003']);
      await service.close();
    }
  });
});
