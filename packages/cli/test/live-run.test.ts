import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Migration, RunEvent, StepReport } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { noColor } from '../src/color.js';
import { LiveRun } from '../src/render/live-run.js';
import { type Ticker, threadTicker } from '../src/render/ticker.js';
import type { View } from '../src/view.js';

const migration = (version: string, name: string) =>
  ({
    version,
    name,
    folder: `${version}_${name}`,
    up: '',
    meta: { dependencies: [], transaction: true },
    checksum: '',
  }) as Migration;
const step = (m: Migration, durationMs: number): StepReport => ({
  version: m.version,
  name: m.name,
  folder: m.folder,
  status: 'applied',
  durationMs,
});

/** A ticker that records what it is told, and says it drew a line of `width` columns while the last statement ran. */
function recordingTicker(log: string[], width = 0): Ticker {
  let drawn = 0;
  return {
    show: (text, newStep) => {
      log.push(`ticker:${newStep ? 'step' : 'statement'}:${text}`);
      drawn = width;
    },
    hide: () => {
      const wide = drawn;
      drawn = 0;
      return wide;
    },
  };
}

function harness(isTTY: boolean, ticker?: (log: string[]) => Ticker) {
  const log: string[] = [];
  const writes: string[] = [];
  const out = (t: string) => {
    writes.push(t);
    log.push(...t.split('\n').map((line) => `out:${line}`));
  };
  const view: View = { out, err: (t) => log.push(`err:${t}`), color: noColor, errColor: noColor };
  let time = 0;
  const live = new LiveRun(view, { write: (t: string) => log.push(`tty:${t}`), isTTY }, () => time, ticker?.(log));
  const advance = (ms: number) => {
    time += ms;
  };
  return { log, writes, live, advance };
}

function run(h: ReturnType<typeof harness>, durations: readonly number[]) {
  const ms = durations.map((_, i) => migration(String(i + 1).padStart(3, '0'), `step_${i + 1}`));
  for (const [index, m] of ms.entries()) {
    const event: RunEvent = { type: 'start', direction: 'up', migration: m, index, total: ms.length };
    h.live.onEvent(event);
    h.advance(durations[index] ?? 0);
    h.live.onEvent({ type: 'finish', step: step(m, durations[index] ?? 0), index, total: ms.length });
  }
  h.live.clear();
}

describe('LiveRun', () => {
  it('prints a line per finished migration and no progress for a quick run', () => {
    const h = harness(true);
    run(h, [5, 5, 5]);
    expect(h.log).toEqual(['out:  ✓ 001 step_1  (5 ms)', 'out:  ✓ 002 step_2  (5 ms)', 'out:  ✓ 003 step_3  (5 ms)']);
  });

  it('shows a progress line on a terminal once the run passes a second, and wipes it before each line', () => {
    const h = harness(true);
    run(h, [1200, 10, 10]);
    const wipe = `tty:\r${' '.repeat('[2/3] 002_step_2 …'.length)}\r`;
    expect(h.log).toEqual([
      'out:  ✓ 001 step_1  (1.2 s)',
      'tty:[2/3] 002_step_2 …',
      wipe,
      'out:  ✓ 002 step_2  (10 ms)',
      'tty:[3/3] 003_step_3 …',
      wipe,
      'out:  ✓ 003 step_3  (10 ms)',
    ]);
  });

  it('counts the statements of a long migration on the progress line', () => {
    const h = harness(true);
    const m = migration('001', 'big');
    h.live.onEvent({ type: 'start', direction: 'up', migration: m, index: 0, total: 1 });
    for (const index of [0, 1, 2]) {
      h.live.onEvent({ type: 'statement', migration: m, index, total: 3 });
      h.advance(600);
    }
    h.live.onEvent({ type: 'finish', step: step(m, 1800), index: 0, total: 1 });
    const drawn = h.log.filter((line) => line.startsWith('tty:[')).map((line) => line.slice(4));
    // The first two statements start within the first second, before progress is worth drawing.
    expect(drawn).toEqual(['[1/1] 001_big … statement 3/3']);
    expect(h.log.at(-1)).toBe('out:  ✓ 001 big  (1.8 s)');
  });

  it('writes the lines of quick migrations together, at least every tenth of a second', () => {
    const h = harness(false);
    run(h, [30, 30, 30, 30, 30]);
    // The first four finish within 120 ms; the fourth passes the tenth of a second and writes them, clear() the last.
    expect(h.writes).toEqual([
      ['  ✓ 001 step_1  (30 ms)', '  ✓ 002 step_2  (30 ms)', '  ✓ 003 step_3  (30 ms)', '  ✓ 004 step_4  (30 ms)'].join('\n'),
      '  ✓ 005 step_5  (30 ms)',
    ]);
  });

  it('never draws progress when stderr is not a terminal', () => {
    const h = harness(false);
    run(h, [1200, 10, 10]);
    expect(h.log.filter((line) => line.startsWith('tty:'))).toEqual([]);
  });

  it('hands each migration and statement to the ticker on a terminal, and wipes what the ticker drew', () => {
    const h = harness(true, (log) => recordingTicker(log, 30));
    const m = migration('001', 'big');
    h.live.onEvent({ type: 'start', direction: 'up', migration: m, index: 0, total: 1 });
    h.live.onEvent({ type: 'statement', migration: m, index: 0, total: 2 });
    h.live.onEvent({ type: 'statement', migration: m, index: 1, total: 2 });
    h.live.onEvent({ type: 'finish', step: step(m, 5), index: 0, total: 1 });
    h.live.clear();
    const wipe = `tty:\r${' '.repeat(30)}\r`;
    expect(h.log).toEqual([
      'ticker:step:[1/1] 001_big …',
      'ticker:statement:[1/1] 001_big … statement 1/2',
      'ticker:statement:[1/1] 001_big … statement 2/2',
      // The ticker may have drawn over the line while the last statement ran: it is wiped before the step's line.
      wipe,
      'out:  ✓ 001 big  (5 ms)',
    ]);
  });

  it('never uses the ticker when stderr is not a terminal', () => {
    const h = harness(false, (log) => recordingTicker(log));
    run(h, [3000, 10]);
    expect(h.log.filter((line) => !line.startsWith('out:'))).toEqual([]);
  });
});

describe('threadTicker', () => {
  it('draws the elapsed time from its own thread while this one is blocked, and stops when hidden', () => {
    const folder = mkdtempSync(join(tmpdir(), 'strata-ticker-'));
    const file = join(folder, 'stderr');
    const fd = openSync(file, 'w');
    try {
      const ticker = threadTicker(fd);
      ticker.show('[1/1] 001_slow …', true);
      // Blocks this thread as a long synchronous statement does, until the ticker has drawn a second (or gives up).
      const pause = new Int32Array(new SharedArrayBuffer(4));
      const written = () => readFileSync(file, 'utf8');
      for (let tries = 0; tries < 300 && !written().includes('· 1s'); tries++) Atomics.wait(pause, 0, 0, 50);
      expect(written()).toMatch(/^(\r\[1\/1\] 001_slow … · \ds)+$/);
      const width = ticker.hide();
      expect(width).toBe('[1/1] 001_slow … · 1s'.length);
      const after = written();
      Atomics.wait(pause, 0, 0, 1200);
      expect(written()).toBe(after);
      expect(ticker.hide()).toBe(0);
    } finally {
      closeSync(fd);
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
