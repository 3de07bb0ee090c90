import { cpus, release, totalmem } from 'node:os';
import type { Contender } from './contender.js';

/** cold: apply all to a fresh file; noop: migrate with all applied; rollback: roll all back; data: the 200k-row migration. */
export type Scenario = 'cold' | 'noop' | 'rollback' | 'data';

/** The outcome of one contender in one scenario on one corpus. */
export type Measured = {
  readonly contender: Contender;
  readonly corpus: string;
  readonly scenario: Scenario;
  readonly size: number;
} & (
  | { readonly status: 'ok'; readonly ms: number; readonly msList: readonly number[]; readonly mib: number | undefined }
  | { readonly status: 'failed'; readonly failure: string }
  | { readonly status: 'n/a' }
  | { readonly status: 'skipped' }
);

/** Milliseconds inside one process for a migrate() with nothing to do. */
export interface InProcessResult {
  readonly driver: 'better-sqlite3' | 'sqljs';
  readonly source: 'disk' | 'memory' | 'read';
  readonly size: number;
  readonly ms: number;
  readonly msList: readonly number[];
}

export interface ReportInput {
  readonly measured: readonly Measured[];
  readonly inProcess: readonly InProcessResult[];
  readonly contenders: readonly Contender[];
  readonly sizes: readonly number[];
  readonly seconds: number;
}

/** Tools that are not Node programs, so "ahead of every Node tool" does not take them in. */
const NATIVE = new Set(['dbmate']);
const SCENARIO_NAMES: Record<Scenario, string> = { cold: 'cold', noop: 'no-op', rollback: 'rollback all', data: '200k rows' };

/** The Markdown of BENCHMARKS.md. */
export function renderReport(input: ReportInput): string {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  push(
    '# Benchmarks',
    '',
    'Strata against the least a script must do with the same SQLite library (the *floor*), and against the migration',
    'tools a Node user would pick instead. Every number is the median of several runs of a whole process, from start to',
    'exit, measured side by side in one run with the contenders interleaved. Regenerate this file with `pnpm bench`.',
    '',
    `Machine: ${machine()}. Run took ${Math.round(input.seconds)} s.`,
    '',
  );
  push(...targets(input), '');
  for (const size of input.sizes) push(...sizeTable(input, size), '');
  push(...dataTable(input), '');
  push(...growthTable(input), '');
  push(...inProcessTable(input), '');
  push(...method(input));
  return `${lines.join('\n')}\n`;
}

function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
}

function find(input: ReportInput, id: string, scenario: Scenario, size: number): Measured | undefined {
  return input.measured.find((m) => m.contender.id === id && m.scenario === scenario && m.size === size);
}

function ratioTo(input: ReportInput, m: Measured | undefined, field: 'ms' | 'mib'): number | undefined {
  if (m?.status !== 'ok') return undefined;
  const floor = find(input, m.contender.floor, m.scenario, m.size);
  if (floor?.status !== 'ok') return undefined;
  const [a, b] = [m[field], floor[field]];
  return a === undefined || b === undefined ? undefined : a / b;
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const times = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(2)}×`);

function cell(input: ReportInput, m: Measured | undefined): string {
  if (m?.status === 'skipped') return 'not run';
  if (m === undefined || m.status === 'n/a') return 'n/a';
  if (m.status === 'failed') return 'failed';
  return `${ms(m.ms)} ms (${times(ratioTo(input, m, 'ms'))})`;
}

function memoryCell(input: ReportInput, m: Measured | undefined): string {
  if (m?.status !== 'ok' || m.mib === undefined) return '–';
  return `${m.mib.toFixed(0)} MiB (${times(ratioTo(input, m, 'mib'))})`;
}

function sizeTable(input: ReportInput, size: number): string[] {
  const rows = input.contenders.map((c) => {
    const [cold, noop, rollback] = (['cold', 'noop', 'rollback'] as const).map((s) => find(input, c.id, s, size));
    return `| ${c.label} | ${cell(input, cold)} | ${cell(input, noop)} | ${cell(input, rollback)} | ${memoryCell(input, cold)} | ${memoryCell(input, noop)} |`;
  });
  return [
    `## ${size.toLocaleString('en')} migrations`,
    '',
    'Median wall time, with the ratio to the floor of the same SQLite library; peak resident memory of the cold and no-op runs.',
    '',
    '| contender | cold | no-op | rollback all | peak memory, cold | peak memory, no-op |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ];
}

function dataTable(input: ReportInput): string[] {
  const rows = input.contenders.map((c) => {
    const m = input.measured.find((x) => x.contender.id === c.id && x.scenario === 'data');
    return `| ${c.label} | ${cell(input, m)} | ${memoryCell(input, m)} |`;
  });
  return [
    '## One data-heavy migration',
    '',
    'A single migration that creates a table and fills it with 200 000 rows from a recursive CTE, on a fresh file.',
    '',
    '| contender | time | peak memory |',
    '| --- | ---: | ---: |',
    ...rows,
  ];
}

/** Time per migration at each size, and how it grows from 1000 to 10000. */
function growth(input: ReportInput, id: string, scenario: Scenario): { perMigration: Map<number, number>; factor?: number } {
  const perMigration = new Map<number, number>();
  for (const size of input.sizes) {
    const m = find(input, id, scenario, size);
    if (m?.status === 'ok') perMigration.set(size, m.ms / size);
  }
  return { perMigration, factor: factorOf(perMigration) };
}

/** A contender's time beyond its floor's, per migration, at each size, and how it grows from 1000 to 10000. */
function overheadGrowth(
  input: ReportInput,
  c: Contender,
  scenario: Scenario,
): { perMigration: Map<number, number>; factor?: number } {
  const perMigration = new Map<number, number>();
  for (const size of input.sizes) {
    const [own, floor] = [timeOf(find(input, c.id, scenario, size)), timeOf(find(input, c.floor, scenario, size))];
    if (own !== undefined && floor !== undefined) perMigration.set(size, (own - floor) / size);
  }
  return { perMigration, factor: factorOf(perMigration) };
}

function factorOf(perMigration: ReadonlyMap<number, number>): number | undefined {
  const [small, large] = [perMigration.get(1000), perMigration.get(10000)];
  return small === undefined || large === undefined ? undefined : large / small;
}

function growthTable(input: ReportInput): string[] {
  const rows: string[] = [];
  const row = (label: string, scenario: Scenario, found: { perMigration: Map<number, number>; factor?: number }) => {
    if (found.perMigration.size === 0) return;
    const cells = input.sizes.map((size) => {
      const value = found.perMigration.get(size);
      return value === undefined ? '–' : `${(value * 1000).toFixed(0)} µs`;
    });
    rows.push(`| ${label} | ${SCENARIO_NAMES[scenario]} | ${cells.join(' | ')} | ${times(found.factor)} |`);
  };
  // A squashed corpus is one migration whatever its size: a time per migration says nothing of it.
  for (const c of input.contenders.filter((x) => x.schemaOnly !== true)) {
    for (const scenario of ['cold', 'noop', 'rollback'] as const) {
      row(c.label, scenario, growth(input, c.id, scenario));
      if (c.id.startsWith('strata')) row(`${c.label}, beyond its floor`, scenario, overheadGrowth(input, c, scenario));
    }
  }
  return [
    '## Growth',
    '',
    'Whole-process time divided by the number of migrations. A cost that grows only with the work stays flat; the last',
    'column is the time per migration at 10 000 over that at 1 000 (start-up costs make small corpora look dearer).',
    "SQLite's own cost per migration grows with the schema (each statement works on a larger schema), which the floors",
    "show; the rows *beyond its floor* take that out: Strata's time minus its floor's, per migration.",
    '',
    `| contender | scenario | ${input.sizes.map((s) => `N = ${s}`).join(' | ')} | 10 000 / 1 000 |`,
    `| --- | --- | ${input.sizes.map(() => '---:').join(' | ')} | ---: |`,
    ...rows,
  ];
}

function inProcessTable(input: ReportInput): string[] {
  if (input.inProcess.length === 0) return [];
  return [
    '## Start-up cost inside the application',
    '',
    'What `migrate()` costs an application at start-up when every migration is already applied, inside one process,',
    'after the modules are loaded and the database is open (the median of fresh processes, so every figure includes',
    'the first, unoptimised run of the code). *disk*: reading and checking the folder, then `migrate()`; *memory*: the',
    'migrations as a map of files (a glob import, or a bundle of the older format), read as a Node application reads one (`loadMigrationSource`, as',
    '`DatabaseManager` does: native checksums), then `migrate()`; *read only*, for reference: nothing but reading',
    'every file of the folder (`readdirSync` and `readFileSync`), the least any check of the files can cost.',

    '',
    '| driver | migrations | from | time |',
    '| --- | ---: | --- | ---: |',
    ...input.inProcess.map(
      (r) =>
        `| ${r.source === 'read' ? '–' : r.driver} | ${r.size} | ${r.source === 'read' ? 'read only' : r.source} | ${r.ms.toFixed(2)} ms |`,
    ),
  ];
}

function timeOf(m: Measured | undefined): number | undefined {
  return m?.status === 'ok' ? m.ms : undefined;
}

interface Target {
  readonly what: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

function targets(input: ReportInput): string[] {
  const list: Target[] = [];
  const ratio = (id: string, scenario: Scenario, size: number, field: 'ms' | 'mib' = 'ms') =>
    ratioTo(input, find(input, id, scenario, size), field);
  const add = (what: string, value: number | undefined, limit: number, unit = '×') =>
    list.push({
      what,
      measured: value === undefined ? 'not measured' : `${value.toFixed(2)}${unit === '×' ? '×' : ` ${unit}`}`,
      met: value === undefined ? undefined : value <= limit,
    });
  const size = input.sizes.includes(1000) ? 1000 : (input.sizes[0] ?? 0);
  add(`better-sqlite3, N = ${size}, cold ≤ 1.10× floor`, ratio('strata-better-sqlite3', 'cold', size), 1.1);
  add(`better-sqlite3, N = ${size}, no-op ≤ 1.15× floor`, ratio('strata-better-sqlite3', 'noop', size), 1.15);
  add(`better-sqlite3, N = ${size}, rollback all ≤ 1.10× floor`, ratio('strata-better-sqlite3', 'rollback', size), 1.1);
  for (const scenario of ['cold', 'noop', 'rollback', 'data'] as const) {
    const here = input.measured.filter((m) => m.scenario === scenario && (scenario === 'data' || m.size === size));
    const strata = timeOf(here.find((m) => m.contender.id === 'strata-better-sqlite3'));
    const [fastest] = here
      .filter(
        (m) =>
          !NATIVE.has(m.contender.id) &&
          !m.contender.id.startsWith('strata') &&
          !m.contender.id.startsWith('floor') &&
          m.contender.schemaOnly !== true,
      )
      .flatMap((m) => (m.status === 'ok' ? [{ id: m.contender.id, ms: m.ms }] : []))
      .sort((a, b) => a.ms - b.ms);
    if (strata === undefined || fastest === undefined) continue;
    const lead = strata / fastest.ms;
    list.push({
      what: `better-sqlite3, ${SCENARIO_NAMES[scenario]}${scenario === 'data' ? '' : `, N = ${size}`}: ahead of every Node tool`,
      measured: `${times(lead)} the fastest (${fastest.id})`,
      met: lead < 1,
    });
  }
  for (const s of input.sizes) {
    for (const scenario of ['cold', 'noop', 'rollback'] as const)
      add(`sql.js, N = ${s}, ${SCENARIO_NAMES[scenario]} ≤ 1.10× floor`, ratio('strata-sqljs', scenario, s), 1.1);
  }
  add(
    'sql.js, 200k rows ≤ 1.10× floor',
    ratioTo(
      input,
      input.measured.find((m) => m.contender.id === 'strata-sqljs' && m.scenario === 'data'),
      'ms',
    ),
    1.1,
  );
  for (const r of input.inProcess.filter((x) => x.driver === 'better-sqlite3' && x.source !== 'read')) {
    add(
      `in-process no-op, ${r.size} migrations from ${r.source} < ${r.source === 'disk' ? 10 : 2} ms`,
      r.ms,
      r.source === 'disk' ? 10 : 2,
      'ms',
    );
  }
  for (const c of input.contenders.filter((x) => x.id.startsWith('strata'))) {
    for (const scenario of ['cold', 'noop', 'rollback'] as const) {
      const name = `${c.id}, ${SCENARIO_NAMES[scenario]}`;
      add(`${name}: per migration at 10 000 ≤ 1.3× at 1 000`, growth(input, c.id, scenario).factor, 1.3);
      add(`${name}: beyond the floor, per migration at 10 000 ≤ 1.3× at 1 000`, overheadGrowth(input, c, scenario).factor, 1.3);
    }
  }
  for (const id of ['strata-better-sqlite3', 'strata-sqljs']) {
    let worst: number | undefined;
    for (const m of input.measured.filter((x) => x.contender.id === id)) {
      const r = ratioTo(input, m, 'mib');
      if (r !== undefined) worst = Math.max(worst ?? 0, r);
    }
    add(`${id}: peak memory ≤ 1.2× floor (worst scenario)`, worst, 1.2);
  }
  return [
    '## Targets',
    '',
    '| target | measured | met |',
    '| --- | ---: | :---: |',
    ...list.map((t) => `| ${t.what} | ${t.measured} | ${t.met === undefined ? '–' : t.met ? 'yes' : '**no**'} |`),
  ];
}

function method(input: ReportInput): string[] {
  const versions = new Map<string, string>();
  for (const c of input.contenders) for (const [name, version] of Object.entries(c.versions())) versions.set(name, version);
  return [
    '## How it is measured',
    '',
    '- Corpus: N migrations, each creating a five-column table with a foreign key to the previous table, an index and',
    '  ten rows; every tenth also a trigger; each with a down script and depending on the one before. Every tool gets',
    '  the same SQL in its own file layout (generated by `packages/bench/src/contenders/*.ts`).',
    '- Every contender uses WAL, `synchronous = NORMAL` and `foreign_keys = ON` on a file database (sql.js holds the',
    '  database in memory and writes the file once per run, whole and atomically). *Cold* starts without a file; *no-op*',
    '  and *rollback all* start from a copy of a database the same tool migrated itself. The other tools run with 1000',
    '  migrations and in the data-heavy migration, the floors and Strata at every size, which keeps `pnpm bench` under',
    '  ten minutes (`--all-sizes` runs every tool at every size).',
    '- After every run the database is checked: every corpus table and row present after applying, none left after',
    '  rolling back. A run that fails or leaves something else is reported as failed.',
    '- Runs are interleaved (each round starts with a different contender) and the median is reported: of 7 runs,',
    "  and of 15 for the floors' and Strata's no-op with 1000 migrations, which takes a fifth of a second and which a",
    '  burst of noise on a shared machine moves most. The cold run that makes the database for the no-op and rollback',
    '  runs counts as the first cold run. Above 1000 migrations, where one run takes tens of seconds, cold and rollback',
    '  run once and no-op three times. Peak memory is the maximum resident set size the kernel reports for the process',
    '  (GNU time).',
    "- The floor reads each folder's up.sql (down.sql to roll back) and runs it with its bookkeeping row in one",
    '  transaction per migration; no validation, no checksums, no dependency graph. The reference row *floor, also',
    '  reading every file* lists each folder too and reads its other files (meta.yaml, and down.sql or up.sql), parsing',
    '  none: the reading that checking every migration at each start cannot do without.',
    '- The row *squashed into one migration* is Strata with the corpus replaced by `strata squash --to <last>',
    '  --remove-replaced` (done while the layout is written, not timed): a cold run makes a new database from the one',
    '  squashed migration instead of N. It runs on the schema corpora only, at the sizes the other tools run at.',
    '',
    'Versions:',
    '',
    ...[...versions].sort().map(([name, version]) => `- ${name} ${version}`),
  ];
}
