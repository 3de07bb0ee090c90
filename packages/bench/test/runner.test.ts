import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
