import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSet } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';
import type { BrowserContext, Page } from 'playwright-core';
import { build, createLogger, type Rolldown } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS } from '../../../test/support/fixtures.js';
import { nodeBuiltinReferences } from '../scripts/bundle.mjs';
import { BROWSER_TESTS, launchChromium } from './support/chromium.js';
import { inspectStored, pageState, storedBytes, waitForActions } from './support/page.js';
import { serveStatic } from './support/static-server.js';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = join(EXAMPLE, 'test-artifacts');

describe.runIf(BROWSER_TESTS)('the browser example in Chromium', () => {
  const temp = mkdtempSync(join(tmpdir(), 'strata-browser-'));
  const warnings: string[] = [];
  let output: (Rolldown.OutputChunk | Rolldown.OutputAsset)[];
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let context: BrowserContext;

  /** Opens a new tab on the example with `query` and waits for the migration on load (none with `manual`). */
  const open = async (query: string): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`${server.url}/?${query}`);
    await waitForActions(page, query.includes('manual') ? 0 : 1);
    return page;
  };
  const url = (query: string) => `${server.url}/?${query}`;
  const applied = (page: Page) =>
    pageState(page).then((s) => (s.lastRun?.steps ?? []).filter((step) => step.status === 'applied').map((step) => step.version));

  beforeAll(async () => {
    const logger = createLogger('warn');
    logger.warn = (message) => warnings.push(message);
    logger.warnOnce = logger.warn;
    const result = await build({
      root: EXAMPLE,
      configFile: join(EXAMPLE, 'vite.config.ts'),
      customLogger: logger,
      logLevel: 'warn',
      build: { outDir: join(temp, 'dist'), emptyOutDir: true },
    });
    output = (Array.isArray(result) ? result : [result as Rolldown.RolldownOutput]).flatMap((r) => r.output);
    server = await serveStatic(join(temp, 'dist'));
    context = await launchChromium(join(temp, 'profile'));
  });
  afterAll(async () => {
    await context?.close();
    await server?.close();
    rmSync(temp, { recursive: true, force: true });
  });

  it('builds without any Node built-in', () => {
    expect(output.some((item) => item.type === 'asset' && item.fileName.endsWith('.wasm'))).toBe(true);
    expect(nodeBuiltinReferences(output)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('migrates a fresh database with the plan and checksums of the migrations folder, and shows the status', async () => {
    const page = await open('db=fresh');
    const state = await pageState(page);
    expect(state.lastRun?.error).toBeUndefined();
    expect(await applied(page)).toEqual(['001', '002', '003']);

    const folder = checkSet(await loadMigrationsFolder(BUILT_IN_MIGRATIONS)).order;
    expect(state.plan.map(({ version, checksum }) => ({ version, checksum }))).toEqual(
      folder.map(({ version, checksum }) => ({ version, checksum })),
    );
    expect(state.status?.applied.map((m) => m.checksum)).toEqual(folder.map((m) => m.checksum));

    const status = (await page.locator('#status').textContent()) ?? '';
    expect(status).toMatch(/^Migration Status:\n={16}\n\nApplied migrations:\n/);
    for (const m of folder)
      expect(status).toMatch(new RegExp(`✓ ${m.version} - ${m.name} \\(applied: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\)`));
    expect(status).toContain('Pending migrations:\n  (none)');
    expect(await page.locator('[data-health]').getAttribute('data-health')).toBe('ok');
    expect(await page.locator('#timeline g.entry.applied').count()).toBe(3);
    expect(await page.locator('#timeline path.arc').count()).toBe(2); // 002 and 003 depend on 001

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'status.png');
    // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered is what the screenshot shows
    const visible = await page.locator('body').innerText();
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(20_000);
    expect(visible).toContain('Migration Status:');
    expect(visible).toContain('✓ 003 - add_user_preferences');

    // A reload opens the stored database: nothing is applied again, and the history is the same.
    await page.reload();
    const again = await waitForActions(page, 1);
    expect(again.lastRun).toEqual({ action: 'migrate', steps: [] });
    expect(again.status?.applied).toEqual(state.status?.applied);
    expect(await page.locator('#message').textContent()).toContain('Nothing to apply');
    await page.close();
  });

  it('lets two tabs opened at once apply each migration once', async () => {
    // A third tab holds the database's lock while both tabs load, so both are surely waiting for it at once.
    const holder = await open('db=holder&manual');
    await holder.evaluate(
      () =>
        new Promise<void>((granted) => {
          void navigator.locks.request('strata:race', () => {
            granted();
            return new Promise<void>((release) => Object.assign(window, { releaseRace: release }));
          });
        }),
    );
    const [a, b] = [await context.newPage(), await context.newPage()];
    await Promise.all([a.goto(url('db=race')), b.goto(url('db=race'))]);
    await holder.waitForFunction(
      async () => ((await navigator.locks.query()).pending ?? []).filter((lock) => lock.name === 'strata:race').length === 2,
      undefined,
      { polling: 50 },
    );
    await holder.evaluate(() => (window as unknown as { releaseRace: () => void }).releaseRace());

    await Promise.all([waitForActions(a, 1), waitForActions(b, 1)]);
    const runs = [await applied(a), await applied(b)];
    expect(runs.flat().sort()).toEqual(['001', '002', '003']);
    expect(runs.map((versions) => versions.length).sort()).toEqual([0, 3]);
    const stored = await storedBytes(a, 'race');
    expect(stored).toBeDefined();
    expect((await inspectStored(stored ?? new Uint8Array())).history).toEqual(['001', '002', '003']);
    expect((await pageState(a)).status).toEqual((await pageState(b)).status);
    await Promise.all([a.close(), b.close(), holder.close()]);
  });

  it('rolls the last migration back with the button, and the reloaded page still has it rolled back', async () => {
    const page = await open('db=rollback');
    await page.getByRole('button', { name: 'Roll back last' }).click();
    const state = await waitForActions(page, 2);
    expect(state.lastRun).toMatchObject({ action: 'rollback', steps: [{ version: '003', status: 'rolled-back' }] });
    expect(await page.locator('#status').textContent()).toContain('○ 003 - add_user_preferences');
    expect(await page.locator('[data-table="user_preferences"]').count()).toBe(0);
    expect(await page.locator('[data-table="users"]').count()).toBe(1);

    await page.goto(url('db=rollback&manual'));
    await waitForActions(page, 0);
    expect((await pageState(page)).status?.pending.map((m) => m.version)).toEqual(['003']);
    expect((await inspectStored((await storedBytes(page, 'rollback')) ?? new Uint8Array())).tables).not.toContain(
      'user_preferences',
    );

    await page.getByRole('button', { name: 'Migrate' }).click();
    await waitForActions(page, 1);
    expect(await applied(page)).toEqual(['003']);
    await page.close();
  });

  it('shows a failing migration with its code and version, and keeps the stored database as it was', async () => {
    const page = await open('db=broken');
    const before = await storedBytes(page, 'broken');
    await page.goto(url('db=broken&extra=004_broken'));
    const state = await waitForActions(page, 1);
    expect(state.lastRun?.error).toMatchObject({ code: 'MIGRATION_FAILED', version: '004', file: '004_broken/up.sql' });
    expect(state.lastRun?.steps.map((s) => [s.version, s.status])).toEqual([['004', 'failed']]);
    const message = page.locator('#message.error');
    expect(await message.textContent()).toMatch(
      /MIGRATION_FAILED \(version 004, 004_broken\/up\.sql\): .*table_that_does_not_exist/,
    );
    expect(await page.locator('#status').textContent()).toContain('○ 004 - broken');

    const after = await storedBytes(page, 'broken');
    expect(after).toBeDefined();
    expect(after?.equals(before ?? Buffer.alloc(0))).toBe(true);
    await page.close();
  });

  it('keeps the stored database whole when the page is closed in the middle of a long migration', async () => {
    const first = await open('db=torn');
    const before = (await storedBytes(first, 'torn')) ?? Buffer.alloc(0);
    await first.close();

    const page = await context.newPage();
    const logged: string[] = [];
    page.on('console', (m) => logged.push(m.text()));
    const started = page.waitForEvent('console', (m) => m.text() === 'strata:start 005');
    // 'commit': the load event would wait for the migration, which keeps the page's only thread busy.
    await page.goto(url('db=torn&extra=005_slow'), { waitUntil: 'commit' });
    await started;
    await page.close();
    expect(logged).not.toContain('strata:finish 005'); // the close did interrupt the migration

    const next = await open('db=torn&manual');
    const after = (await storedBytes(next, 'torn')) ?? Buffer.alloc(0);
    const stored = await inspectStored(after);
    expect(stored.quickCheck).toBe('ok');
    // Either the run's save never happened (the bytes from before) or it happened whole (005 recorded with its table).
    if (after.equals(before)) expect(stored.history).toEqual(['001', '002', '003']);
    else
      expect(stored).toMatchObject({ history: ['001', '002', '003', '005'], tables: expect.arrayContaining(['slow_results']) });
    await next.close();
  });
});
