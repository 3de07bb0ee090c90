import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireFileLock } from '@strata/core/node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir } from '../../../test/support/fixtures.js';

const CHILD = fileURLToPath(new URL('./lock-child.mjs', import.meta.url));

let temp: ReturnType<typeof makeTempDir>;
let file: string;
beforeEach(() => {
  temp = makeTempDir('strata-file-lock-');
  file = join(temp.path, 'app.db');
});
afterEach(() => temp.remove());

/** A lock folder as a process that has ended left it; without `owner`, as one killed between its two steps. */
function leaveLock(owner?: Record<string, unknown>): void {
  mkdirSync(`${file}.lock`);
  if (owner !== undefined) writeFileSync(join(`${file}.lock`, 'owner.json'), JSON.stringify(owner));
}

function run(script: string, input: unknown): Promise<number | null> {
  const child = spawn(process.execPath, [script, JSON.stringify(input)], { stdio: 'ignore' });
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

describe("Strata's lock of a file", () => {
  it('is held by one process at a time when several take over an abandoned one at once', async () => {
    for (let round = 0; round < 4; round++) {
      const log = join(temp.path, `log${round}`);
      writeFileSync(log, '');
      // A holder killed while it held the lock leaves it behind.
      const killed = spawn(process.execPath, [CHILD, JSON.stringify({ file, log: `${log}.killed`, start: 0, holdMs: 60_000 })]);
      while (!existsSync(`${log}.killed`)) await new Promise((resolve) => setTimeout(resolve, 20));
      killed.kill('SIGKILL');
      await new Promise((resolve) => killed.on('close', resolve));
      expect(existsSync(join(`${file}.lock`, 'owner.json'))).toBe(true);
      const start = Date.now() + 400;
      const codes = await Promise.all(Array.from({ length: 5 }, () => run(CHILD, { file, log, start, holdMs: 60 })));
      expect(codes).toEqual([0, 0, 0, 0, 0]);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines.filter((line) => line.startsWith('lost'))).toEqual([]);
      // Enter and leave alternate: no process entered while another held the lock.
      expect(lines.map((line) => line.split(' ')[0])).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 ? 'leave' : 'enter')));
      for (let i = 0; i < lines.length; i += 2) expect(lines[i]?.split(' ')[1]).toBe(lines[i + 1]?.split(' ')[1]);
      expect(existsSync(`${file}.lock`)).toBe(false);
    }
  }, 60_000);

  it('is taken over after two seconds when its folder has no owner (its maker was killed while taking it)', async () => {
    leaveLock();
    const started = Date.now();
    const lock = await acquireFileLock(file, { timeoutMs: 10_000, staleMs: 60_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(Date.now() - started).toBeLessThan(6000);
    await lock.release();
  });

  it('is not taken over while a process of another process-id space holds it, until it goes stale', async () => {
    leaveLock({ pid: process.pid, host: hostname(), space: 'another container', token: 'x', since: new Date().toISOString() });
    await expect(acquireFileLock(file, { timeoutMs: 500, staleMs: 60_000 })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
  });

  it('listens for signals once while it is taken and released file after file, and stops once the loop turns', async () => {
    // Each signal listener Node adds opens a native handle, and one removed is closed only when the event loop turns:
    // locking many files one after another, without the loop turning, must not add and remove them for every file.
    const before = process.listenerCount('SIGTERM');
    const beforeExit = process.listenerCount('exit');
    const on = vi.spyOn(process, 'on');
    try {
      for (let i = 0; i < 50; i++) {
        const lock = await acquireFileLock(join(temp.path, `t${i}.db`), { timeoutMs: 1000, staleMs: 10_000 });
        expect(process.listenerCount('SIGTERM')).toBe(before + 1);
        await lock.release();
      }
      expect(on.mock.calls.filter(([event]) => event === 'SIGTERM')).toHaveLength(1);
    } finally {
      on.mockRestore();
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(process.listenerCount('exit')).toBe(beforeExit);
    expect(existsSync(`${join(temp.path, 't0.db')}.lock`)).toBe(false);
  });
});
