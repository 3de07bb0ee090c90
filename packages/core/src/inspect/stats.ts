import type { Driver, Row } from '../driver.js';
import { messageOf, type SerializedError, StrataError } from '../errors.js';
import { quoteIdentifier } from '../sql/identifier.js';
import { type Finding, judge, verdict } from './health.js';
import type { StatusReport } from './status.js';

/**
 * One table and its row count.
 *
 * @example
 * ```ts
 * const appTables = stats.tables.filter((table) => !table.history);
 * ```
 */
export interface TableStats {
  readonly name: string;
  /** `count(*)`, or `null` when the table cannot be read here (a virtual table whose module this SQLite lacks). */
  readonly rows: number | null;
  /** True for the history table, so a display can set it apart from the application's tables. */
  readonly history: boolean;
}

/**
 * A row whose foreign key points at a parent row that does not exist, as `PRAGMA foreign_key_check` reports it.
 *
 * @example
 * ```ts
 * const orphan: ForeignKeyViolation = { table: 'case_studies', rowid: 7, parent: 'domains', fkid: 1 };
 * ```
 */
export interface ForeignKeyViolation {
  readonly table: string;
  /** `null` for a `WITHOUT ROWID` table. */
  readonly rowid: number | null;
  readonly parent: string;
  /** The foreign key's `id` in `PRAGMA foreign_key_list(table)`. */
  readonly fkid: number;
}

/**
 * The history side of {@link DatabaseStats}.
 *
 * @example
 * ```ts
 * const { applied, pending, last } = (await manager.stats()).migrations;
 * ```
 */
export interface MigrationStats {
  readonly applied: number;
  readonly pending: number;
  /** The most recently applied migration. */
  readonly last?: { readonly version: string; readonly name: string; readonly appliedAt: string };
  /** Applied migrations in applied order; `durationMs` is missing where the history table does not record it. */
  readonly durations: readonly { readonly version: string; readonly name: string; readonly durationMs?: number }[];
  readonly totalDurationMs: number;
  /** Checksum mismatches, applied-but-missing migrations and problems with the set, as in `status`. */
  readonly problems: readonly SerializedError[];
}

/**
 * A database's size, contents, integrity and migration state, with one health verdict. Plain data: it survives
 * `JSON.stringify` and `structuredClone` unchanged.
 *
 * @example
 * ```ts
 * const stats = await manager.stats();
 * if (stats.health.status !== 'ok') console.warn(stats.health.reasons.join('\n'));
 * ```
 */
export interface DatabaseStats {
  /** Every table but SQLite's own `sqlite_*` ones, the history table included, by name. */
  readonly tables: readonly TableStats[];
  /** Counts of named schema objects; the automatic indexes of UNIQUE and PRIMARY KEY constraints are not counted. */
  readonly indexes: number;
  readonly triggers: number;
  readonly views: number;
  readonly pageSize: number;
  readonly pageCount: number;
  readonly freelistCount: number;
  /** `pageSize * pageCount`: the database's size, WAL content included. */
  readonly sizeBytes: number;
  readonly journalMode: string;
  readonly migrations: MigrationStats;
  readonly checks: {
    /** `['ok']`, or SQLite's messages (at most 100). */
    readonly quickCheck: readonly string[];
    /** The first 100 violations; `foreignKeyViolationsTruncated` says whether there are more. */
    readonly foreignKeyViolations: readonly ForeignKeyViolation[];
    readonly foreignKeyViolationsTruncated: boolean;
  };
  /** `error` for damage or migration problems, `warning` for pending migrations or much free space, else `ok`. */
  readonly health: { readonly status: 'ok' | 'warning' | 'error'; readonly reasons: readonly string[] };
}

// A report is for a person or a screen, so it shows a sample; the full list is one `PRAGMA foreign_key_check` away.
const VIOLATION_LIMIT = 100;

/**
 * Reads statistics and runs the health checks, changing nothing: only reads and side-effect-free pragmas. `status`
 * is the migration state already read from the history table `historyTable`, which need not exist yet. Values are
 * read one query at a time, so under concurrent writers they may come from slightly different moments.
 *
 * @example
 * ```ts
 * const stats = await collectStats(driver, 'schema_migrations', await manager.status());
 * ```
 */
export async function collectStats(driver: Driver, historyTable: string, status: StatusReport): Promise<DatabaseStats> {
  const findings: Finding[] = [];
  const objects = await read<{ type: string; name: string }>(
    driver,
    "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
  );
  const tables: TableStats[] = [];
  for (const { type, name } of objects) {
    if (type !== 'table') continue;
    tables.push({ name, rows: await countRows(driver, name, findings), history: sameName(name, historyTable) });
  }
  const [pages] = await read(
    driver,
    `SELECT (SELECT page_size FROM pragma_page_size()) AS page_size, (SELECT page_count FROM pragma_page_count()) AS page_count,
      (SELECT freelist_count FROM pragma_freelist_count()) AS freelist_count, (SELECT journal_mode FROM pragma_journal_mode()) AS journal_mode`,
  );
  const facts = {
    tables,
    indexes: objects.filter((o) => o.type === 'index').length,
    triggers: objects.filter((o) => o.type === 'trigger').length,
    views: objects.filter((o) => o.type === 'view').length,
    pageSize: Number(pages?.page_size ?? 0),
    pageCount: Number(pages?.page_count ?? 0),
    freelistCount: Number(pages?.freelist_count ?? 0),
    sizeBytes: Number(pages?.page_size ?? 0) * Number(pages?.page_count ?? 0),
    journalMode: String(pages?.journal_mode ?? ''),
    migrations: migrationStats(status),
    checks: await integrityChecks(driver, findings),
  };
  return { ...facts, health: verdict([...findings, ...judge(facts, status)]) };
}

function migrationStats(status: StatusReport): MigrationStats {
  const last = status.applied.at(-1);
  return {
    applied: status.applied.length,
    pending: status.pending.length,
    ...(last === undefined ? {} : { last: { version: last.version, name: last.name, appliedAt: last.appliedAt } }),
    durations: status.applied.map(({ version, name, durationMs }) => ({
      version,
      name,
      ...(durationMs === undefined ? {} : { durationMs }),
    })),
    totalDurationMs: status.applied.reduce((sum, row) => sum + (row.durationMs ?? 0), 0),
    problems: status.problems.map((problem) => problem.toJSON()),
  };
}

async function countRows(driver: Driver, table: string, findings: Finding[]): Promise<number | null> {
  try {
    const [row] = await driver.query(`SELECT count(*) AS n FROM ${quoteIdentifier(table)}`);
    return Number(row?.n ?? 0);
  } catch (error) {
    findings.push(['warning', `the rows of table ${table} could not be counted: ${messageOf(error)}`]);
    return null;
  }
}

// The checks report a damaged database instead of failing on it: that is the database a health report is for.
async function integrityChecks(driver: Driver, findings: Finding[]): Promise<DatabaseStats['checks']> {
  let quickCheck: string[];
  try {
    quickCheck = (await driver.query('SELECT quick_check FROM pragma_quick_check()')).map((row) => String(row.quick_check));
  } catch (error) {
    quickCheck = [messageOf(error)];
  }
  const violations = await foreignKeyViolations(driver, findings);
  return {
    quickCheck,
    foreignKeyViolations: violations.slice(0, VIOLATION_LIMIT),
    foreignKeyViolationsTruncated: violations.length > VIOLATION_LIMIT,
  };
}

async function foreignKeyViolations(driver: Driver, findings: Finding[]): Promise<ForeignKeyViolation[]> {
  try {
    const rows = await driver.query(
      `SELECT "table", rowid, parent, fkid FROM pragma_foreign_key_check() LIMIT ${VIOLATION_LIMIT + 1}`,
    );
    return rows.map((row) => ({
      table: String(row.table),
      rowid: row.rowid === null || row.rowid === undefined ? null : Number(row.rowid),
      parent: String(row.parent),
      fkid: Number(row.fkid),
    }));
  } catch (error) {
    // A foreign key naming columns that are not a parent key makes the whole check fail ("foreign key mismatch").
    findings.push(['error', `foreign keys could not be checked: ${messageOf(error)}`]);
    return [];
  }
}

async function read<R extends Row = Row>(driver: Driver, sql: string): Promise<R[]> {
  try {
    return await driver.query<R>(sql);
  } catch (error) {
    throw new StrataError('DATABASE_ERROR', `could not read the database statistics: ${messageOf(error)}`, { cause: error });
  }
}

// SQLite matches identifiers without regard to ASCII case, and the history table's name is a plain identifier.
function sameName(table: string, historyTable: string): boolean {
  return table.toLowerCase() === historyTable.toLowerCase();
}
