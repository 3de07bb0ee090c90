import { checkParity, type Driver, MigrationManager, type ParityEngineInfo, type ParityReport, StrataError } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node/folder';
import { DRIVERS } from './args.js';
import type { OptionSpec, Outcome } from './commands/command.js';
import { isMissing, openDriver } from './drivers.js';
import { errorLines } from './render/error.js';
import { plural } from './render/steps.js';
import type { Settings } from './settings.js';
import type { View } from './view.js';

/** `validate --parity`, as the command's help shows it. */
export const parityOption: OptionSpec = {
  type: 'boolean',
  description: 'replay the migrations in memory on better-sqlite3 and on sql.js, and report what differs',
};

/** The paragraph of `validate --help` about `--parity`. */
export const parityNotes = [
  '--parity applies every migration, in order, to an empty database in memory on each engine (native SQLite',
  'through better-sqlite3, WASM SQLite through sql.js) and reports, as PARITY_MISMATCH, each migration that applies',
  'on one and fails on the other (with the compile options that explain it, such as ENABLE_FTS5), or that leaves',
  'schemas that differ; migrations that depend on one that failed are not checked on that engine. The first lines',
  'name each SQLite release and the compile options only that build has. No database is opened. It needs both the',
  'better-sqlite3 and the sql.js packages: without one, it fails (exit 1, INVALID_OPTION) naming what to install.',
  'Exit codes: 0 the engines agree; 1 findings, or a package missing.',
].join('\n');

/** The package each engine needs, and how to install it. */
const PACKAGES: Readonly<Record<(typeof DRIVERS)[number], { readonly name: string; readonly install: string }>> = {
  'better-sqlite3': { name: 'better-sqlite3', install: 'npm install better-sqlite3@12' },
  sqljs: { name: 'sql.js', install: 'npm install sql.js' },
};

/**
 * `validate --parity`: the migrations folder replayed in memory on both engines, better-sqlite3 and sql.js, with
 * what one runs and the other does not. Touches no database. Both SQLite packages must be installed; without one,
 * an `INVALID_OPTION` (exit 1) says which to install, since the check means nothing on one engine.
 */
export async function parityOutcome(settings: Settings): Promise<Outcome> {
  const migrations = await loadMigrationsFolder(settings.dir);
  const drivers: Driver[] = [];
  try {
    for (const name of DRIVERS) drivers.push(await openEngine(name));
    const engines = DRIVERS.map((name, i) => ({ name, driver: drivers[i] as Driver }));
    const order = new MigrationManager({ driver: engines[0]?.driver as Driver, migrations, table: settings.table }).migrations();
    const report = await checkParity(order, engines, { table: settings.table });
    return { data: report, exitCode: report.findings.length > 0 ? 1 : 0, render: (view) => render(report, view) };
  } finally {
    for (const driver of drivers) await driver.close();
  }
}

async function openEngine(name: (typeof DRIVERS)[number]): Promise<Driver> {
  try {
    return await openDriver(name, { file: undefined, readonly: false });
  } catch (error) {
    const wanted = PACKAGES[name];
    if (!isMissing(error, wanted.name)) throw error;
    throw new StrataError(
      'INVALID_OPTION',
      `validate --parity replays the migrations on both better-sqlite3 and sql.js, and the ${wanted.name} package is ` +
        `not installed: install it (${wanted.install})`,
      { cause: error },
    );
  }
}

function render(report: ParityReport, view: View): void {
  view.out(engineLines(report.engines).join('\n'));
  const names = report.engines.map((e) => e.name).join(' and ');
  if (report.findings.length === 0) {
    view.out(`OK: ${plural(report.migrations, 'migration')} ${report.migrations === 1 ? 'applies' : 'apply'} alike on ${names}.`);
    return;
  }
  for (const finding of report.findings) {
    const { code, message, ...where } = finding.problem;
    view.err(errorLines(new StrataError(code, message, where), view.errColor, false).join('\n'));
  }
  view.err(`validate --parity: ${plural(report.findings.length, 'finding')} in ${plural(report.migrations, 'migration')}.`);
}

/**
 * One line per engine: its SQLite release and the compile options it has that another has not (a setting with another
 * value counts), the compiler aside: `better-sqlite3: SQLite 3.53.2; only here: DQS=0 ENABLE_FTS5 …`.
 */
function engineLines(engines: readonly ParityEngineInfo[]): string[] {
  return engines.map((engine) => {
    const others = engines.filter((e) => e !== engine);
    const own = engine.compileOptions.filter(
      (o) => !o.startsWith('COMPILER=') && others.some((e) => !e.compileOptions.includes(o)),
    );
    return `${engine.name}: SQLite ${engine.sqliteVersion}${own.length === 0 ? '' : `; only here: ${own.join(' ')}`}`;
  });
}
