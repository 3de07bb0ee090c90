import type { BatchStatement, Driver, Row, SqlValue } from '../driver.js';
import { StrataError } from '../errors.js';
import { type Migration, VersionSet } from '../migration.js';
import type { AppliedMigration } from '../validate/history.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Rows recorded in the same second in the order of their version numbers, as `compareVersions` orders them: by the
 * length of the digits without leading zeros, then by the digits (a text order would put `20240313` before `999`).
 */
const BY_NUMBER = "length(ltrim(version, '0')), ltrim(version, '0'), version";

/**
 * Throws `INVALID_OPTION` unless `name` can be a history table: a plain identifier, not one of SQLite's own. The
 * name is still quoted wherever it is used.
 */
export function checkHistoryTableName(name: string): void {
  if (!IDENTIFIER.test(name) || name.toLowerCase().startsWith('sqlite_')) {
    throw new StrataError(
      'INVALID_OPTION',
      `history table name ${JSON.stringify(name)} is not a plain identifier (letters, digits and underscores, not starting with a digit or "sqlite_")`,
    );
  }
}

/**
 * The history table's name unless one is given.
 *
 * @example
 * ```ts
 * new MigrationManager({ driver, migrations, table: DEFAULT_HISTORY_TABLE }); // the same as leaving table out
 * ```
 */
export const DEFAULT_HISTORY_TABLE = 'schema_migrations';

/**
 * One change of the history table that `repair`, `forget`, `baseline` and squash adoption make: a statement, and how
 * many rows it must change, no more and no fewer, or the whole edit is undone (another process changed the row since
 * the plan was made).
 */
export interface HistoryEdit {
  readonly statement: Required<BatchStatement>;
  readonly changes: number;
  /** The version the edit concerns, as the error names it. */
  readonly version: string;
  /** Notes the change in what the table remembers, once it committed. */
  readonly done?: () => void;
}

/**
 * The history table: where applied migrations are recorded. Reads never create it, so looking at a database leaves
 * it exactly as it was; the first migration creates it inside its own transaction.
 */
export class HistoryTable {
  /** The table name, validated as a plain identifier. */
  readonly name: string;
  private readonly quoted: string;
  private hasDuration: boolean | undefined;
  /**
   * Whether the table was seen to exist by the last look. Every operation starts with {@link list}, which looks
   * again; within the operation, `has` and `record` trust a sighting instead of asking SQLite once per migration.
   * Only a sighting counts, never a creation, which the migration's transaction may still roll back.
   */
  private seen = false;
  /**
   * The recorded versions as last listed, kept up to date by `record` and `remove`. Inside a lock that keeps every
   * other writer out for a whole operation ({@link Driver.exclusive}, see {@link whileLocked}) `has` answers from them
   * once they were listed in it; outside, `has` asks SQLite, inside each migration's write transaction. Either way they
   * give the spellings a version number is stored under, so a row `001` is found, changed and removed for a folder
   * `0001` (a version is matched by number, as folders are).
   */
  private recorded = new VersionSet();
  private listedInLock = false;
  private locked = false;

  constructor(
    private readonly driver: Driver,
    name = DEFAULT_HISTORY_TABLE,
  ) {
    checkHistoryTableName(name);
    this.name = name;
    this.quoted = `"${name}"`;
  }

  /** Every recorded migration, oldest first; empty when the table does not exist yet. */
  async list(): Promise<AppliedMigration[]> {
    if (!(await this.exists())) {
      this.listing([]);
      return [];
    }
    const duration = (await this.recordsDuration()) ? ', duration_ms' : '';
    const rows = await this.driver.query<Row>(
      `SELECT version, name, applied_at, checksum${duration} FROM ${this.quoted} ORDER BY applied_at, ${BY_NUMBER}`,
    );
    this.listing(rows.map((row) => String(row.version)));
    return rows.map((row) => ({
      version: String(row.version),
      name: String(row.name),
      appliedAt: String(row.applied_at),
      checksum: String(row.checksum),
      ...(typeof row.duration_ms === 'number' || typeof row.duration_ms === 'bigint'
        ? { durationMs: Number(row.duration_ms) }
        : {}),
    }));
  }

  /**
   * Whether `version` is recorded, under any spelling of its number; used inside the write lock, where another process
   * may just have applied it. Outside a lock, SQLite is asked for the spellings the table was last listed with and the
   * one given, so each lookup uses the table's index: a row another process wrote since, spelled a third way, is not
   * seen until the next listing.
   */
  async has(version: string): Promise<boolean> {
    if (this.listedInLock) return this.recorded.has(version);
    if (!this.seen && !(await this.exists())) return false;
    const spellings = this.spellingsOf(version);
    const rows = await this.driver.query(
      `SELECT 1 AS found FROM ${this.quoted} WHERE version IN (${marks(spellings)}) LIMIT 1`,
      spellings,
    );
    return rows.length > 0;
  }

  /** Creates the table when missing. Call inside the transaction that records the first migration. */
  async ensure(): Promise<void> {
    if (this.seen) return;
    // Inside a held lock, a creation that is rolled back ends the operation (see whileLocked), so it can be trusted.
    if (this.locked) this.seen = true;
    await this.driver.exec(this.ensureStatement().sql);
  }

  /** The statement that creates the table when missing, for a batch that records the first migration. */
  ensureStatement(): BatchStatement {
    return {
      sql: `CREATE TABLE IF NOT EXISTS ${this.quoted} (
  version TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  checksum TEXT NOT NULL,
  duration_ms INTEGER
)`,
    };
  }

  /** Records `migration` as applied; without `durationMs` (a baseline, where nothing ran) the duration stays empty. */
  async record(migration: Pick<Migration, 'version' | 'name' | 'checksum'>, durationMs?: number): Promise<void> {
    await this.ensure();
    const { sql, params } = await this.recordStatement(migration, durationMs);
    await this.driver.run(sql, params);
    this.recorded.add(migration.version);
  }

  /**
   * The statement {@link record} runs, for a batch; it fails on the primary key when the version is recorded already.
   * The caller notes the version with {@link noteRecorded} once the batch committed.
   */
  async recordStatement(
    migration: Pick<Migration, 'version' | 'name' | 'checksum'>,
    durationMs?: number,
  ): Promise<Required<BatchStatement>> {
    const { version, name, checksum } = migration;
    if (!(await this.recordsDuration())) {
      return { sql: `INSERT INTO ${this.quoted} (version, name, checksum) VALUES (?, ?, ?)`, params: [version, name, checksum] };
    }
    const duration = durationMs === undefined ? null : Math.round(durationMs);
    return {
      sql: `INSERT INTO ${this.quoted} (version, name, checksum, duration_ms) VALUES (?, ?, ?, ?)`,
      params: [version, name, checksum, duration],
    };
  }

  /**
   * A statement that fails, and so fails the whole batch it is part of, when `condition` (SQL over the state the
   * batch's earlier statements left, such as `changes() = 0`) holds: it inserts a row without a name into this table,
   * which `NOT NULL` refuses. Engines that apply a batch atomically have no other way to abort one from inside.
   * {@link isGuardFailure} tells its failure from others.
   */
  guardStatement(condition: string, params: readonly SqlValue[] = []): Required<BatchStatement> {
    return {
      sql: `INSERT INTO ${this.quoted} (version, name, checksum) SELECT 'strata guard', NULL, '' WHERE ${condition}`,
      params,
    };
  }

  /** Whether `message` is the failure of a {@link guardStatement}. */
  isGuardFailure(message: string): boolean {
    return message.includes(`NOT NULL constraint failed: ${this.name}.name`);
  }

  /** Whether `message` is the failure of a {@link recordStatement} because the version is recorded already. */
  isRecordedAlready(message: string): boolean {
    return /UNIQUE constraint failed|PRIMARY KEY/i.test(message) && message.includes(`${this.name}.version`);
  }

  /** Writes the duration of a migration recorded without one, when the table has the column. */
  async writeDuration(version: string, durationMs: number): Promise<void> {
    if (!(await this.recordsDuration())) return;
    const spellings = this.spellingsOf(version);
    await this.driver.run(
      `UPDATE ${this.quoted} SET duration_ms = ? WHERE version IN (${marks(spellings)}) AND duration_ms IS NULL`,
      [Math.round(durationMs), ...spellings],
    );
  }

  /** Notes `version` as recorded, after a batch holding its {@link recordStatement} committed. */
  noteRecorded(version: string): void {
    this.recorded.add(version);
  }

  /** Notes `version` as removed, after a batch holding its {@link removeStatement} committed. */
  noteRemoved(version: string): void {
    this.recorded.delete(version);
  }

  /** Removes the record of `version`, under whichever spelling of its number it is stored. */
  async remove(version: string): Promise<void> {
    const { sql, params } = this.removeStatement(version);
    await this.driver.run(sql, params);
    this.recorded.delete(version);
  }

  /** The statement {@link remove} runs, for a batch; the caller notes the removal with {@link noteRemoved}. */
  removeStatement(version: string): Required<BatchStatement> {
    const spellings = this.spellingsOf(version);
    return { sql: `DELETE FROM ${this.quoted} WHERE version IN (${marks(spellings)})`, params: spellings };
  }

  /**
   * The edit that replaces the checksum recorded for `version`, only while it is still `from`: it changes no row when
   * another process changed or removed the row meanwhile.
   */
  restampEdit(version: string, from: string, to: string): HistoryEdit {
    const spellings = this.spellingsOf(version);
    const sql = `UPDATE ${this.quoted} SET checksum = ? WHERE version IN (${marks(spellings)}) AND checksum = ?`;
    return { statement: { sql, params: [to, ...spellings, from] }, changes: 1, version };
  }

  /**
   * The edit that removes every row of these version spellings, as `forget` does for a migration whose folder is
   * gone; `rows` is how many there were when the plan was made.
   */
  forgetEdit(version: string, spellings: readonly string[], rows: number): HistoryEdit {
    const unique = [...new Set(spellings)];
    const sql = `DELETE FROM ${this.quoted} WHERE version IN (${marks(unique)})`;
    return { statement: { sql, params: unique }, changes: rows, version, done: () => this.forgotten(unique) };
  }

  /**
   * The edits that remove `removed`, rows that repeat the version of `kept` (see `recordedVersions`), and keep `kept`,
   * the oldest. Each changes fewer rows than it expects when another process changed them meanwhile.
   */
  removeDuplicatesEdits(kept: AppliedMigration, removed: readonly AppliedMigration[]): HistoryEdit[] {
    const edits: HistoryEdit[] = [];
    const others = removed.filter((row) => row.version !== kept.version);
    const otherSpellings = [...new Set(others.map((row) => row.version))];
    if (otherSpellings.length > 0) {
      const sql = `DELETE FROM ${this.quoted} WHERE version IN (${marks(otherSpellings)})`;
      edits.push({ statement: { sql, params: otherSpellings }, changes: others.length, version: kept.version });
    }
    // Rows spelled alike are told apart by rowid, which every table that can hold them has, but a WITHOUT ROWID table
    // keyed on more than the version (where this fails, and the repair changes nothing).
    const alike = removed.length - others.length;
    if (alike > 0) {
      const later = `SELECT rowid FROM ${this.quoted} WHERE version = ? ORDER BY applied_at, rowid LIMIT -1 OFFSET 1`;
      const sql = `DELETE FROM ${this.quoted} WHERE rowid IN (${later})`;
      edits.push({ statement: { sql, params: [kept.version] }, changes: alike, version: kept.version });
    }
    return edits;
  }

  /** The edit that records `migration` as applied without running it (a baseline): no duration. */
  async markEdit(migration: Pick<Migration, 'version' | 'name' | 'checksum'>): Promise<HistoryEdit> {
    const statement = await this.recordStatement(migration);
    return { statement, changes: 1, version: migration.version, done: () => this.noteRecorded(migration.version) };
  }

  private forgotten(versions: readonly string[]): void {
    for (const version of versions) this.recorded.delete(version);
  }

  /**
   * Runs `work`, an operation that holds the driver's exclusive lock from start to end: no other process can write
   * meanwhile, so what {@link list} reads inside it stays true but for this operation's own writes, and `has` need
   * not ask SQLite again before each migration. A failed write ends the operation, and what was listed with it.
   */
  async whileLocked<T>(work: () => Promise<T>): Promise<T> {
    this.locked = true;
    this.listedInLock = false;
    try {
      return await work();
    } finally {
      this.locked = false;
      this.listedInLock = false;
      // A creation trusted inside the lock may have been rolled back by the failure that ended it: look again.
      this.seen = false;
    }
  }

  /** Whether the table exists. */
  async exists(): Promise<boolean> {
    // pragma_table_info looks the name up in SQLite's in-memory schema; a query on sqlite_master would scan it, once
    // per migration, which makes a run quadratic in the number of tables.
    const rows = await this.driver.query("SELECT 1 AS found FROM pragma_table_info(?, 'main') LIMIT 1", [this.name]);
    this.seen = rows.length > 0;
    return this.seen;
  }

  /** Remembers the versions just listed; inside a lock they stay true for the rest of the operation. */
  private listing(versions: readonly string[]): void {
    this.recorded = new VersionSet(versions);
    if (this.locked) this.listedInLock = true;
  }

  /** `version` and the spellings of its number last seen in the table: `['0001', '001']`. */
  private spellingsOf(version: string): string[] {
    const stored = this.recorded.spellings(version);
    return stored.includes(version) ? [...stored] : [version, ...stored];
  }

  /** Tables created by another tool may lack `duration_ms`; then durations are simply not recorded. */
  private async recordsDuration(): Promise<boolean> {
    if (this.hasDuration === undefined) {
      const rows = await this.driver.query('SELECT name FROM pragma_table_info(?)', [this.name]);
      if (rows.length === 0) return true;
      this.hasDuration = rows.some((row) => row.name === 'duration_ms');
    }
    return this.hasDuration;
  }
}

/** The `?` placeholders of an `IN (…)` list of `values`. */
function marks(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}
