import { type EngineBuild, optionValue } from './engine-build.js';

/** An engine as an explanation names it: its name and its SQLite build. */
export interface NamedBuild {
  readonly name: string;
  readonly build: EngineBuild;
}

/** The compile option that includes (`ENABLE_…`) or leaves out (`OMIT_…`) a module or table-valued function. */
const MODULES: Readonly<Record<string, readonly string[]>> = {
  fts5: ['ENABLE_FTS5'],
  fts4: ['ENABLE_FTS4', 'ENABLE_FTS3'],
  fts3: ['ENABLE_FTS3'],
  fts3tokenize: ['ENABLE_FTS3'],
  rtree: ['ENABLE_RTREE'],
  rtree_i32: ['ENABLE_RTREE'],
  geopoly: ['ENABLE_GEOPOLY'],
  dbstat: ['ENABLE_DBSTAT_VTAB'],
  sqlite_dbpage: ['ENABLE_DBPAGE_VTAB'],
  sqlite_stmt: ['ENABLE_STMTVTAB'],
  bytecode: ['ENABLE_BYTECODE_VTAB'],
  tables_used: ['ENABLE_BYTECODE_VTAB'],
  carray: ['ENABLE_CARRAY'],
  json_each: ['OMIT_JSON'],
  json_tree: ['OMIT_JSON'],
  jsonb_each: ['OMIT_JSON'],
  jsonb_tree: ['OMIT_JSON'],
  sqlite_stat4: ['ENABLE_STAT4'],
};

const MATH =
  'acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log log10 log2 mod pi pow power radians sin sinh sqrt tan tanh trunc';

/** The compile option that includes or leaves out a built-in SQL function. */
const FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(MATH.split(' ').map((name) => [name, ['ENABLE_MATH_FUNCTIONS']])),
  median: ['ENABLE_PERCENTILE'],
  percentile: ['ENABLE_PERCENTILE'],
  percentile_cont: ['ENABLE_PERCENTILE'],
  percentile_disc: ['ENABLE_PERCENTILE'],
  soundex: ['SOUNDEX'],
  load_extension: ['OMIT_LOAD_EXTENSION'],
  sqlite_offset: ['ENABLE_OFFSET_SQL_FUNC'],
  sqlite_compileoption_get: ['OMIT_COMPILEOPTION_DIAGS'],
  sqlite_compileoption_used: ['OMIT_COMPILEOPTION_DIAGS'],
};

/**
 * How an error names what the SQLite build left out, and the compile options that decide it. Limits come last: a
 * limit on what SQL may hold (expression depth, compound selects, columns, …) that differs may explain an error about
 * depth or size.
 */
const RULES: readonly { readonly pattern: RegExp; readonly options: (match: RegExpMatchArray) => readonly string[] }[] = [
  { pattern: /no such module: (\w+)/i, options: (m) => MODULES[lower(m[1])] ?? [`ENABLE_${upper(m[1])}`] },
  { pattern: /no such table: (?:\w+\.)?(\w+)/i, options: (m) => MODULES[lower(m[1])] ?? [] },
  { pattern: /no such function: (\w+)/i, options: (m) => FUNCTIONS[lower(m[1])] ?? [] },
  { pattern: /near "(LIMIT|ORDER)": syntax error/i, options: () => ['ENABLE_UPDATE_DELETE_LIMIT'] },
  // DQS=0 makes a double-quoted word an identifier only; without it, SQLite falls back to reading it as a string.
  { pattern: /should this be a string literal/i, options: () => ['DQS'] },
  {
    pattern: /too deep|too large|too many|too big|too long/i,
    options: () => [
      'MAX_EXPR_DEPTH',
      'MAX_COMPOUND_SELECT',
      'MAX_TRIGGER_DEPTH',
      'MAX_COLUMN',
      'MAX_FUNCTION_ARG',
      'MAX_VARIABLE_NUMBER',
      'MAX_SQL_LENGTH',
      'MAX_LENGTH',
      'MAX_LIKE_PATTERN_LENGTH',
      'MAX_ATTACHED',
    ],
  },
];

/**
 * Why SQL that ran on the `applied` engines failed on the `failed` ones, from the error SQLite gave: the compile
 * options the error points to that differ between the two sides (`no such module: fts5` → `ENABLE_FTS5 on
 * better-sqlite3, not on sqljs`), or else (unless `releases` is false) the SQLite releases, when they differ;
 * undefined when the builds explain nothing.
 *
 * @example
 * ```ts
 * explainFailure('no such module: fts5', [{ name: 'sqljs', build: wasm }], [{ name: 'better-sqlite3', build: native }]);
 * // 'ENABLE_FTS5 on better-sqlite3, not on sqljs'
 * ```
 */
export function explainFailure(
  message: string,
  failed: readonly NamedBuild[],
  applied: readonly NamedBuild[],
  releases = true,
): string | undefined {
  const engines = [...applied, ...failed];
  for (const rule of RULES) {
    const match = message.match(rule.pattern);
    if (match === null) continue;
    const differing = rule.options(match).filter((option) => differs(option, engines));
    if (differing.length > 0) return differing.map((option) => optionSpread(option, engines)).join('; ');
  }
  return releases ? releaseSpread(message, failed, applied) : undefined;
}

function differs(option: string, engines: readonly NamedBuild[]): boolean {
  return new Set(engines.map((e) => optionValue(e.build, option) ?? '\0')).size > 1;
}

/** `ENABLE_FTS5 on better-sqlite3, not on sqljs`; `MAX_EXPR_DEPTH=1000 on a, MAX_EXPR_DEPTH=500 on b`. */
function optionSpread(option: string, engines: readonly NamedBuild[]): string {
  const parts = engines.map((e) => {
    const value = optionValue(e.build, option);
    if (value === undefined) return `not on ${e.name}`;
    return `${option}${value === '' ? '' : `=${value}`} on ${e.name}`;
  });
  return parts.sort((a, b) => Number(a.startsWith('not')) - Number(b.startsWith('not'))).join(', ');
}

/** When no compile option explains a failure, the releases may: a function or check one of them has not. */
function releaseSpread(message: string, failed: readonly NamedBuild[], applied: readonly NamedBuild[]): string | undefined {
  const engines = [...applied, ...failed];
  if (new Set(engines.map((e) => e.build.sqliteVersion)).size < 2) return undefined;
  const releases = engines.map((e) => `SQLite ${e.build.sqliteVersion} on ${e.name}`).join(', ');
  const fn = message.match(/no such function: (\w+)/i)?.[1];
  const older = failed.every((f) => applied.every((a) => compareReleases(f.build.sqliteVersion, a.build.sqliteVersion) < 0));
  if (fn !== undefined && older)
    return `no compile option explains it; ${fn}() may be newer than the older release (${releases})`;
  return `no compile option explains it; the releases differ (${releases})`;
}

/** Orders `3.9.2` before `3.53.2`, part by part as numbers. */
function compareReleases(a: string, b: string): number {
  const [pa, pb] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < Math.max(pa?.length ?? 0, pb?.length ?? 0); i++) {
    const d = (pa?.[i] ?? 0) - (pb?.[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function lower(text: string | undefined): string {
  return (text ?? '').toLowerCase();
}

function upper(text: string | undefined): string {
  return (text ?? '').toUpperCase();
}
