// The "tenant databases" section: one set of migrations (the repository's built-in ones) applied to many database
// files, one per tenant, fresh and then again with nothing to do, by the Strata CLI over a glob of the files
// (`migrate --db '<dir>/*.db' --concurrency N`, with one and two workers) and by a plain loop of the better-sqlite3
// floor over the same files; at N and N / 10 files, to show whether peak memory stays flat as the files grow in number.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { timed } from './measure.js';
import { median } from './stats.js';

/** The section's heading in BENCHMARKS.md. */
export const TENANTS_HEADING = '## Tenant databases';

const MIGRATIONS = fileURLToPath(new URL('../../../migrations', import.meta.url));
const CLI = fileURLToPath(new URL('../../cli/dist/migrate.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('./contenders/floor-tenants-run.js', import.meta.url));
const PEAK = pathToFileURL(fileURLToPath(new URL('./peak-memory.js', import.meta.url))).href;

/** Who migrates the files: the floor loop, or the Strata CLI with this many workers. */
export type TenantRunner = { readonly kind: 'floor' } | { readonly kind: 'strata'; readonly concurrency: number };

/** One runner on one corpus in one scenario. */
export type TenantResult = {
  readonly runner: TenantRunner;
  readonly databases: number;
  readonly scenario: 'fresh' | 'noop';
} & (
  | { readonly status: 'ok'; readonly ms: number; readonly peakMib: number | undefined }
  | { readonly status: 'failed'; readonly failure: string }
);

/** What the section reports. */
export interface TenantsReport {
  readonly sizes: readonly number[];
  readonly migrations: number;
  readonly results: readonly TenantResult[];
}

/** Options of {@link measureTenants}. */
export interface TenantsOptions {
  readonly log: (line: string) => void;
  readonly timeoutMs: number;
  /** Runs of each runner and scenario, whose median is reported (default 1: one run of 10 000 takes minutes). */
  readonly runs?: number;
}

/** The failure of a no-op run not made, as the fresh run before it failed. */
const FRESH_FAILED = 'not run: the fresh run failed';

const RUNNERS: readonly TenantRunner[] = [
  { kind: 'floor' },
  { kind: 'strata', concurrency: 1 },
  { kind: 'strata', concurrency: 2 },
];

/**
 * Makes `count` / 10 and `count` empty tenant files per runner under `work` (SQLite takes an empty file as an empty
 * database; the glob needs the files to exist), and measures each runner on them fresh, then again with nothing to
 * do. A runner that fails (the CLI refusing the glob, say) is reported as failed with its first line of stderr, and
 * the section goes on.
 */
export async function measureTenants(work: string, count: number, options: TenantsOptions): Promise<TenantsReport> {
  const sizes = count >= 10 ? [Math.round(count / 10), count] : [count];
  const migrations = migrationFolders().length;
  const results: TenantResult[] = [];
  for (const size of sizes) {
    for (const runner of RUNNERS) {
      const dir = join(work, 'tenants', `${size}-${runnerId(runner)}`);
      const failed = new Set<string>();
      for (const scenario of ['fresh', 'noop'] as const) {
        const samples: { ms: number; peakMib: number | undefined }[] = [];
        for (let run = 0; run < (options.runs ?? 1); run++) {
          if (failed.size > 0) break;
          // Each fresh run starts from empty files; each no-op run from the files a fresh run left.
          if (scenario === 'fresh') makeTenants(dir, size);
          else if (run === 0 && !existsSync(dir)) break;
          options.log(
            `  ${size} databases, ${label(runner)}, ${scenario}${options.runs === undefined ? '' : `, run ${run + 1}`}`,
          );
          try {
            samples.push(await runOn(runner, dir, join(work, 'peak.txt'), options.timeoutMs));
            checkTenants(dir, size, runner, migrations);
          } catch (error) {
            const failure = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
            failed.add(failure);
            results.push({ runner, databases: size, scenario, status: 'failed', failure });
            options.log(`    failed: ${failure}`);
          }
        }
        if (samples.length > 0) {
          const peaks = samples.flatMap((s) => (s.peakMib === undefined ? [] : [s.peakMib]));
          const peakMib = peaks.length === 0 ? undefined : median(peaks);
          results.push({ runner, databases: size, scenario, status: 'ok', ms: median(samples.map((s) => s.ms)), peakMib });
        }
        if (failed.size > 0 && scenario === 'fresh') {
          results.push({ runner, databases: size, scenario: 'noop', status: 'failed', failure: FRESH_FAILED });
          break;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { sizes, migrations, results };
}

function migrationFolders(): string[] {
  return existsSync(MIGRATIONS) ? readdirSync(MIGRATIONS).filter((name) => /^\d+_/.test(name)) : [];
}

function runnerId(runner: TenantRunner): string {
  return runner.kind === 'floor' ? 'floor' : `strata-${runner.concurrency}`;
}

function label(runner: TenantRunner): string {
  return runner.kind === 'floor' ? 'floor loop (bare better-sqlite3)' : `Strata CLI, --concurrency ${runner.concurrency}`;
}

/** `count` empty files `tenant-00001.db`, … in `dir`, which is emptied first. */
function makeTenants(dir: string, count: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const width = Math.max(5, String(count).length);
  for (let i = 1; i <= count; i++) closeSync(openSync(join(dir, `tenant-${String(i).padStart(width, '0')}.db`), 'w'));
}

/** The process a runner is: the CLI over the glob of the files, or the floor loop over the folder. */
function commandOf(runner: TenantRunner, dir: string): string[] {
  if (runner.kind === 'floor') return [FLOOR, dir, MIGRATIONS];
  // The glob is given as it is, unexpanded (no shell): the CLI reads it.
  return [CLI, 'migrate', '--db', `${dir}/*.db`, '--dir', MIGRATIONS, '--concurrency', String(runner.concurrency)];
}

/**
 * Runs a runner to completion and measures its wall time and peak resident memory (getrusage of the whole process,
 * worker threads included, written at exit by a preloaded module). Throws with the first line of stderr on failure.
 */
async function runOn(
  runner: TenantRunner,
  dir: string,
  peakFile: string,
  timeoutMs: number,
): Promise<{ ms: number; peakMib: number | undefined }> {
  rmSync(peakFile, { force: true });
  const { ms } = await timed(
    process.execPath,
    ['--import', PEAK, ...commandOf(runner, dir)],
    { STRATA_BENCH_PEAK_FILE: peakFile },
    timeoutMs,
    (why, stderr) => {
      const said = stderr.trim().split('\n')[0] ?? '';
      throw new Error(`${runner.kind === 'floor' ? 'the floor loop' : 'the CLI'} ${why}${said === '' ? '' : `: ${said}`}`);
    },
  );
  const kib = existsSync(peakFile) ? Number(readFileSync(peakFile, 'utf8').trim()) : Number.NaN;
  return { ms, peakMib: Number.isFinite(kib) ? kib / 1024 : undefined };
}

/**
 * Checks that the run migrated the tenant files themselves: the first, a middle and the last file each record every
 * migration (a CLI that took the glob for one file name would have made a file called `*.db` instead).
 */
function checkTenants(dir: string, count: number, runner: TenantRunner, migrations: number): void {
  const width = Math.max(5, String(count).length);
  for (const i of new Set([1, Math.ceil(count / 2), count])) {
    const file = join(dir, `tenant-${String(i).padStart(width, '0')}.db`);
    const db = new Database(file, { readonly: true });
    try {
      const found = db
        .prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        .pluck()
        .get();
      const rows = found === 0 ? 0 : Number(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get());
      if (rows !== migrations) {
        throw new Error(`${label(runner)} left ${file} with ${rows} of ${migrations} migrations recorded`);
      }
    } finally {
      db.close();
    }
  }
}

const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`);

/** The section's Markdown lines. */
export function renderTenants(report: TenantsReport): string[] {
  const find = (runner: TenantRunner, databases: number, scenario: 'fresh' | 'noop') =>
    report.results.find((r) => runnerId(r.runner) === runnerId(runner) && r.databases === databases && r.scenario === scenario);
  const time = (r: TenantResult | undefined) => (r?.status === 'ok' ? r.ms : undefined);
  const cell = (r: TenantResult | undefined, floor: TenantResult | undefined) => {
    if (r === undefined) return 'not run';
    if (r.status === 'failed') return 'failed';
    const f = time(floor);
    return `${ms(r.ms)}${f === undefined ? '' : ` (${(r.ms / f).toFixed(2)}×)`}`;
  };
  const peak = (r: TenantResult | undefined) =>
    r?.status === 'ok' && r.peakMib !== undefined ? `${r.peakMib.toFixed(0)} MiB` : '–';
  const rows: string[] = [];
  for (const size of report.sizes) {
    const [floorFresh, floorNoop] = [
      find(RUNNERS[0] as TenantRunner, size, 'fresh'),
      find(RUNNERS[0] as TenantRunner, size, 'noop'),
    ];
    for (const runner of RUNNERS) {
      const [fresh, noop] = [find(runner, size, 'fresh'), find(runner, size, 'noop')];
      rows.push(
        `| ${label(runner)} | ${size.toLocaleString('en')} | ${cell(fresh, floorFresh)} | ${cell(noop, floorNoop)} | ${peak(fresh)} | ${peak(noop)} |`,
      );
    }
  }
  const notes: string[] = [];
  const [small, large] = [report.sizes[0] ?? 0, report.sizes.at(-1) ?? 0];
  for (const scenario of ['fresh', 'noop'] as const) {
    const one = time(find({ kind: 'strata', concurrency: 1 }, large, scenario));
    const two = time(find({ kind: 'strata', concurrency: 2 }, large, scenario));
    if (one !== undefined && two !== undefined) {
      notes.push(
        `- Scaling, ${scenario === 'noop' ? 'no-op' : 'fresh'}, ${large.toLocaleString('en')} databases: two workers take ${(two / one).toFixed(2)}× the time of one (${(one / two).toFixed(2)}× the speed).`,
      );
    }
  }
  if (small !== large) {
    for (const runner of RUNNERS) {
      const at = (n: number) => {
        const r = find(runner, n, 'fresh');
        return r?.status === 'ok' ? r.peakMib : undefined;
      };
      const [a, b] = [at(small), at(large)];
      if (a !== undefined && b !== undefined) {
        notes.push(
          `- Peak memory, ${label(runner)}, fresh: ${b.toFixed(0)} MiB at ${large.toLocaleString('en')} databases against ${a.toFixed(0)} MiB at ${small.toLocaleString('en')} (${(b / a).toFixed(2)}×; flat is 1).`,
        );
      }
    }
  }
  const failures = [
    ...new Set(
      report.results.flatMap((r) =>
        r.status === 'failed' && r.failure !== FRESH_FAILED ? [`${label(r.runner)}, ${r.scenario}: ${r.failure}`] : [],
      ),
    ),
  ];
  return [
    TENANTS_HEADING,
    '',
    `The built-in migrations (${report.migrations}, the \`migrations/\` folder) applied to many database files, one per tenant:`,
    '*fresh* on empty files, *no-op* again on the files the fresh run left. Strata is the CLI over a glob of the files',
    "(`migrate --db '<dir>/*.db' --concurrency N`, one and two worker threads); the floor is one process looping the bare",
    'better-sqlite3 floor script over the same files in name order. Each figure is one run of a whole process, wall time',
    'with the ratio to the floor loop, and its peak resident memory (getrusage of the whole process, worker threads',
    'included). Regenerate this section alone with `pnpm bench --only tenants` (`--tenants N` for another count; it',
    'also runs N / 10, to show whether memory stays flat).',
    '',
    '| runner | databases | fresh | no-op | peak memory, fresh | peak memory, no-op |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    ...(notes.length === 0 ? [] : ['', ...notes]),
    ...(failures.length === 0
      ? []
      : [
          '',
          'Failed runs (a CLI without multi-database runs refuses the glob or `--concurrency`):',
          '',
          ...failures.map((f) => `- ${f}`),
        ]),
  ];
}
