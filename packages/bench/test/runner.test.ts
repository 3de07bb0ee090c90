import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { median, rotate } from '../dist/stats.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-bench-runner-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('statistics', () => {
  it('takes the median of odd and even lists, and rotates the running order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });
});

describe('pnpm bench', () => {
  it('runs the floors and Strata on a small corpus, checks every database, and writes the report', async () => {
    const out = join(root, 'BENCHMARKS.md');
    await run(
      process.execPath,
      [
        MAIN,
        '--sizes',
        '12',
        '--runs',
        '1',
        '--in-process',
        '1',
        '--contenders',
        'strata-better-sqlite3,strata-sqljs,floor-reads-all-better-sqlite3',
        '--out',
        out,
        '--json',
        join(root, 'raw.json'),
      ],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const report = await readFile(out, 'utf8');
    expect(report).toContain('## 12 migrations');
    // Every contender finished every scenario: a failed run or a database left wrong is reported as "failed".
    expect(report).not.toMatch(/\| failed \|/);
    for (const label of [
      'floor (bare better-sqlite3 script)',
      'floor, also reading every file (reference)',
      'Strata 0.1.0 (better-sqlite3)',
      'floor (bare sql.js script)',
      'Strata 0.1.0 (sql.js)',
    ]) {
      expect(report).toMatch(new RegExp(`\\| ${label.replace(/[().]/g, '\\$&')} \\| \\d`));
    }
    expect(report).toMatch(/\| better-sqlite3 \| 12 \| memory \| \d+\.\d\d ms \|/);

    // The raw results give back the same report, without running anything.
    const again = join(root, 'again.md');
    await run(process.execPath, [MAIN, '--from', join(root, 'raw.json'), '--out', again]);
    expect(await readFile(again, 'utf8')).toBe(report);
  }, 120_000);
});

describe('pnpm bench --only', () => {
  it('tenants: writes only its section, the floor loop measured, Strata measured or its refusal said', async () => {
    const out = join(root, 'TENANTS.md');
    await writeFile(out, '# Benchmarks\n\n## Targets\n\nkept\n\n## How it is measured\n\nkept too\n');
    await run(process.execPath, [MAIN, '--only', 'tenants', '--tenants', '10', '--out', out], { maxBuffer: 16 * 1024 * 1024 });
    const report = await readFile(out, 'utf8');
    expect(report).toMatch(/^# Benchmarks\n\n## Targets\n\nkept\n\n## Tenant databases\n/);
    expect(report).toMatch(/\n## How it is measured\n\nkept too\n$/);
    expect(report).toMatch(
      /^\| floor loop \(bare better-sqlite3\) \| 10 \| \d+ ms \(1\.00×\) \| \d+ ms \(1\.00×\) \| \d+ MiB \| \d+ MiB \|$/m,
    );
    for (const workers of [1, 2]) {
      const row = report.split('\n').find((line) => line.startsWith(`| Strata CLI, --concurrency ${workers} | 10 |`));
      expect(row).toBeDefined();
      // Until the CLI runs a glob of databases it refuses the command line, and the section says so.
      if (row?.includes('failed')) expect(report).toContain(`- Strata CLI, --concurrency ${workers}, fresh: the CLI exited with`);
      else expect(row).toMatch(/\| \d+ ms \(\d+\.\d\d×\) \| \d+ ms \(\d+\.\d\d×\) \| \d+ MiB \| \d+ MiB \|$/);
    }
  }, 120_000);

  it('bundle: writes only its section, both bundle forms measured side by side, with their ratio', async () => {
    const out = join(root, 'BUNDLE.md');
    await run(process.execPath, [MAIN, '--only', 'bundle', '--bundle-runs', '1', '--out', out], { maxBuffer: 16 * 1024 * 1024 });
    const report = await readFile(out, 'utf8');
    expect(report).toMatch(/^\| file map \| \d+ KiB \| \d+\.\d ms \| \d+\.\d ms \|$/m);
    expect(report).toMatch(/^\| precomputed \| \d+ KiB \| \d+\.\d ms \| \d+\.\d ms \|$/m);
    expect(report).toMatch(/^Precomputed over file map: \d+\.\d\d× the time \(\d+\.\d times faster\), median of 1 runs each\.$/m);
  }, 120_000);
});
