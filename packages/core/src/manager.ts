import { classifyMigrations, type MigrationPhase, phaseMismatches } from './deploy/classify.js';
import { type CompatReport, checkQueries } from './deploy/compat.js';
import type { Phase } from './deploy/phase.js';
import type { QueryText } from './deploy/queries.js';
import type { Driver } from './driver.js';
import { StrataError, ValidationError } from './errors.js';
import { checkDrift, type DriftCheck, driftProblem } from './inspect/drift.js';
import { outOfOrder } from './inspect/out-of-order.js';
import { checkSquashedSchema } from './inspect/squash-schema.js';
import { collectStats, type DatabaseStats } from './inspect/stats.js';
import { buildStatus, type StatusReport } from './inspect/status.js';
import { type Migration, type MigrationSet, versionKey } from './migration.js';
import { type MigrationDefinition, parseMigrationDefinition } from './parse/files.js';
import type { PrecomputedMigrations } from './parse/precomputed.js';
import { type Migrations, migrationSetOf } from './parse/source.js';
import { type BaselineReport, planBaseline } from './plan/baseline.js';
import { type ForgetReport, planForget } from './plan/forget.js';
import { findVersion, planMigrate, planPhase } from './plan/migrate.js';
import { planRepair, type RepairReport } from './plan/repair.js';
import { planRollback, type RollbackTarget } from './plan/rollback.js';
import { adoptSquashes, forgetHistory, markApplied, repairHistory } from './repair/history-edits.js';
import { applyMigration, rollbackMigration, type StepResult } from './run/apply.js';
import { refuseUnbatchable } from './run/batch.js';
import { HistoryTable } from './run/history.js';
import { RunError, type RunEvent, type RunReport, type StepReport, stepOf } from './run/report.js';
import type { SchemaDifference } from './schema/diff.js';
import { noScratchDatabase } from './schema/replay.js';
import { type AppliedMigration, checkHistory } from './validate/history.js';
import { type NotReplayed, type RoundTripResult, replayMigrations } from './validate/replay.js';
import { emptyDownWarnings } from './validate/reversible.js';
import { type CheckedSet, checkSet } from './validate/set.js';
import { resolveSquashes, type Squash } from './validate/squash.js';
import { checkStatements, type StatementScripts } from './validate/statements.js';

/** Makes a run's changes durable: through the driver, or through the lock the run holds. */
type Persist = () => Promise<void>;

/** The checked set and the history, read together: what every report starts from. */
interface Inspection {
  readonly order: readonly Migration[];
  readonly byVersion: ReadonlyMap<string, Migration>;
  readonly applied: readonly AppliedMigration[];
  readonly problems: readonly StrataError[];
  /** The squashes this database counts as applied once its schema is found to match (see Squash). */
  readonly unadopted: readonly Squash[];
  /** Every squash in the set, adopted or not. */
  readonly squashes: readonly Squash[];
}

/** Options of a {@link MigrationManager}. */
export interface MigrationManagerOptions {
  /** The connection to migrate. */
  readonly driver: Driver;
  /**
   * The migrations: a set from a loader, a map of path → text (as a bundler's glob import gives it), or the default
   * export of a module `strata bundle` wrote (a {@link PrecomputedMigrations}, loaded without hashing or parsing).
   */
  readonly migrations?: Migrations;
  /** The history table. Default `schema_migrations`. */
  readonly table?: string;
  /** Called as each migration starts and finishes, and before each of its statements, for progress displays. */
  readonly onEvent?: (event: RunEvent) => void;
}

/** Options of {@link MigrationManager.migrate}. */
export interface MigrateOptions {
  /** Apply only up to and including this version (in run order). */
  readonly to?: string;
  /** Plan and report the SQL that would run, change nothing. */
  readonly dryRun?: boolean;
  /** Run even though the database records migrations the set does not have. */
  readonly ignoreMissing?: boolean;
  /**
   * Run one phase of a blue-green deployment. `expand`: apply the pending migrations up to, not including, the first
   * that needs the contract phase (see `classifyChange`; meta.yaml may declare `phase: contract`); that one and those
   * after it wait, listed in the report's `waiting`. `contract`: apply every pending migration. Either way the pending
   * migrations are classified first, on a replay in memory, and a run where one declares `phase: expand` but would
   * break the previous version is refused (`PHASE_MISMATCH`). Without it, every pending migration is applied.
   */
  readonly phase?: Phase;
}

/** Options of {@link MigrationManager.rollback}. */
export interface RollbackOptions {
  /** Roll back the applied migrations that depend on the targets first (newest first) instead of refusing. */
  readonly cascade?: boolean;
  /** Plan and report the SQL that would run, change nothing. */
  readonly dryRun?: boolean;
}

/** Options of {@link MigrationManager.repair} and {@link MigrationManager.forget}. */
export interface RepairOptions {
  /** Write the changes. Without it, the report says what would change and nothing is written. */
  readonly apply?: boolean;
}

/** Options of {@link MigrationManager.baseline}. */
export interface BaselineOptions {
  /** Write the history rows. Without it, the report says what would be marked and nothing is written. */
  readonly apply?: boolean;
}

/** Options of {@link MigrationManager.validate}: those of `status`, and the replay's. */
export interface ValidateOptions extends InspectOptions {
  /**
   * Replay every migration on an empty database in memory (`REPLAY_FAILED`). Default: when the driver can open one
   * (`Driver.scratch`); asked for on a driver that cannot, `INVALID_OPTION`.
   */
  readonly replay?: boolean;
  /** Check on the replay that every down.sql undoes its up.sql (`ROUND_TRIP_FAILED`); replays even without `replay`. */
  readonly roundTrip?: boolean;
}

/**
 * Options of {@link MigrationManager.status} and {@link MigrationManager.validate}.
 *
 * @example
 * ```ts
 * const { drift, driftSkipped } = await manager.status({ drift: true });
 * ```
 */
export interface InspectOptions {
  /**
   * Also compare the database's schema with the one its applied migrations build, replayed on an empty database in
   * memory of the same engine: what differs is listed in `drift` and is a `SCHEMA_DRIFT` problem. Off by default:
   * the replay costs time on every call (the CLI, where a person asks, checks unless `--no-drift`), and code that
   * treats any problem as fatal, as a start-up does, would stop on an index added by hand.
   */
  readonly drift?: boolean;
  /**
   * Classify migrations by deployment phase, on a replay in memory: `status` gives each pending migration its phase
   * and changes, `validate` lists every migration's in `phases`. Either way a migration declaring `phase: expand` that
   * would break the previous version is a `PHASE_MISMATCH` problem (which `validate` reports even without this).
   */
  readonly phases?: boolean;
}

/**
 * Options of {@link MigrationManager.checkCompat}.
 *
 * @example
 * ```ts
 * const options: CompatOptions = { from: '003', phase: 'expand' };
 * ```
 */
export interface CompatOptions {
  /**
   * The migrations whose statements are checked after the previous version's schema: `expand` (the default) those the
   * expand phase would apply, up to the first contract migration; `contract` every one after the base.
   */
  readonly phase?: Phase;
  /**
   * The last migration the previous version of the application runs on: the base is it and every migration before it
   * in run order. Default: the migrations the database has applied.
   */
  readonly from?: string;
}

/** What {@link MigrationManager.checkCompat} found: the queries' report, and the migrations not checked, which wait. */
export interface CompatCheck extends CompatReport {
  readonly phase: Phase;
  /** With the expand phase: the migrations after it, from the first contract one, which were not checked. */
  readonly waiting: readonly MigrationPhase[];
}

/**
 * What `validate` reports: the run order of the valid migrations, every problem found, and warnings: what is allowed
 * but rarely meant (`IRREVERSIBLE`: a down.sql with no statement), which do not make the set invalid. `notReplayed`
 * is there when the migrations were replayed, `roundTrips` when round trips were asked for; with `{ drift: true }`,
 * the drift check's result, as in {@link StatusReport}.
 */
export interface ValidationReport {
  readonly order: readonly { readonly version: string; readonly name: string }[];
  readonly problems: readonly StrataError[];
  readonly warnings: readonly StrataError[];
  /** How the database's schema differs from the one its applied migrations build; see {@link InspectOptions.drift}. */
  readonly drift?: readonly SchemaDifference[];
  /** Why the drift check could not be made, when it was asked for. */
  readonly driftSkipped?: string;
  /**
   * Why the replay did not run though `replay` was left to its default: the driver has no scratch database (see
   * {@link ValidateOptions.replay}); every check that needs no replay still ran.
   */
  readonly replaySkipped?: string;
  /** The migrations the replay could not check, as one they depend on failed. */
  readonly notReplayed?: readonly NotReplayed[];
  /** One result per migration, in run order. */
  readonly roundTrips?: readonly RoundTripResult[];
  /** With `{ phases: true }`: every migration's deployment phase and changes, in run order. */
  readonly phases?: readonly MigrationPhase[];
}

/**
 * Applies, inspects and rolls back one set of migrations on one database.
 *
 * @example
 * ```ts
 * const manager = new MigrationManager({ driver, migrations: await loadMigrationsFolder('migrations') });
 * const report = await manager.migrate();
 * for (const step of report.steps) console.log(step.version, step.status, step.durationMs);
 * ```
 */
export class MigrationManager {
  private readonly driver: Driver;
  private readonly history: HistoryTable;
  private readonly onEvent: ((event: RunEvent) => void) | undefined;
  private loaded: MigrationSet;

  constructor(options: MigrationManagerOptions) {
    this.driver = options.driver;
    this.history = new HistoryTable(options.driver, options.table);
    this.onEvent = options.onEvent;
    const source = options.migrations ?? { migrations: [], problems: [] };
    this.loaded = migrationSetOf(source);
  }

  /** The history table's name. */
  get table(): string {
    return this.history.name;
  }

  /**
   * Adds a migration written in code. It is checked like a folder; problems surface in `validate` and stop `migrate`.
   *
   * @example
   * ```ts
   * manager.registerMigration({ version: '004', name: 'add_tags', up: 'CREATE TABLE tags (id INTEGER PRIMARY KEY);', down: 'DROP TABLE tags;', meta: { dependencies: ['001'] } });
   * ```
   */
  registerMigration(definition: MigrationDefinition): this {
    const { migration, problems } = parseMigrationDefinition(definition);
    this.loaded = {
      migrations: migration === undefined ? this.loaded.migrations : [...this.loaded.migrations, migration],
      problems: [...this.loaded.problems, ...problems],
    };
    return this;
  }

  /** The valid migrations in run order. */
  migrations(): readonly Migration[] {
    return this.check().order;
  }

  /**
   * Checks files, dependencies and the checksums of applied migrations, then replays every migration, applied or not,
   * on an empty database in memory of the driver's engine (`driver.scratch()`), where what would fail is found with
   * its file, line and column (`REPLAY_FAILED`); with `roundTrip`, each down.sql is checked there too; with
   * `drift`, the database's schema is compared with the one its applied migrations build (see {@link InspectOptions}).
   * Changes nothing.
   *
   * @example
   * ```ts
   * const { problems, roundTrips } = await manager.validate({ roundTrip: true, drift: true });
   * ```
   */
  async validate(options: ValidateOptions = {}): Promise<ValidationReport> {
    const state = await this.inspect(false, true);
    const { order } = state;
    const warnings = emptyDownWarnings(order);
    const { problems, ...drift } = await this.withDrift(state, options);
    const phased = await this.phases(state, options.phases === true ? () => true : (m) => m.meta.phase === 'expand');
    const report = {
      order: order.map((m) => ({ version: m.version, name: m.name })),
      problems: [...problems, ...phased.problems],
      warnings,
      ...drift,
      ...(options.phases === true ? { phases: phased.phases } : {}),
    };
    const roundTrip = options.roundTrip === true;
    // By default only where the driver can open a database in memory; asked for, without one, it is an error.
    const replay = options.replay ?? this.driver.scratch !== undefined;
    if (options.replay === undefined && !replay && !roundTrip)
      return { ...report, replaySkipped: noScratchDatabase(this.driver) };
    if (!replay && !roundTrip) return report;
    // A migration whose files have a problem is not replayed: that problem says what is wrong with it.
    const skip = new Set(this.check(true).problems.flatMap((p) => (p.version === undefined ? [] : [p.version])));
    const found = await replayMigrations(this.driver, order, { table: this.history.name, roundTrip, skip });
    const { notReplayed, roundTrips } = found;
    return {
      ...report,
      problems: [...report.problems, ...found.problems],
      notReplayed,
      ...(roundTrips === undefined ? {} : { roundTrips }),
    };
  }

  /**
   * The rows of the history table, oldest first; empty before the first migration. Changes nothing, and checks
   * nothing: {@link status} also compares them with the migrations.
   *
   * @example
   * ```ts
   * const latest = (await manager.applied()).at(-1)?.version;
   * ```
   */
  async applied(): Promise<readonly AppliedMigration[]> {
    return this.history.list();
  }

  /**
   * Applied and pending migrations, and problems; with `{ drift: true }`, also how the database's schema differs from
   * the one its applied migrations build (see {@link InspectOptions}). Changes nothing.
   *
   * @example
   * ```ts
   * const { pending, drift = [] } = await manager.status({ drift: true });
   * for (const d of drift) console.log(d.message); // "table users: column phone TEXT added"
   * ```
   */
  async status(options: InspectOptions = {}): Promise<StatusReport> {
    const state = await this.inspect(false, true);
    const { problems, ...drift } = await this.withDrift(state, options);
    const status = { ...buildStatus(state.order, state.applied, problems), ...drift };
    if (options.phases !== true || status.pending.length === 0) return status;
    const pending = new Set(status.pending.map((p) => p.version));
    const phased = await this.phases(state, (m) => pending.has(m.version));
    const byVersion = new Map(phased.phases.map((p) => [p.version, p]));
    return {
      ...status,
      pending: status.pending.map((p) => {
        const known = byVersion.get(p.version);
        if (known === undefined) return p;
        const { phase, declared, changes } = known;
        return { ...p, phase, ...(declared === undefined ? {} : { declared }), changes };
      }),
      problems: [...status.problems, ...phased.problems],
    };
  }

  /**
   * Compiles every statement of the previous version of the application (its queries, as SQL texts) against the
   * schema the deployment phase leads to, migration by migration, on a replay in memory, and reports each statement
   * that stops compiling with the migration after which it does (a table or column it names is gone). Compiling checks
   * tables, columns and syntax, not constraints: the phase classification covers those. The base, the schema the
   * previous version runs on, is the database's applied migrations, or `from` and what precedes it; a query that does
   * not compile there is in `failingBefore`. Refused like {@link migrate} when the set has problems or a migration's
   * declared phase does not hold (`PHASE_MISMATCH`). Changes nothing.
   *
   * @example
   * ```ts
   * const { broken } = await manager.checkCompat(['SELECT slug, name FROM domains'], { from: '003' });
   * for (const b of broken) console.log(b.query.source, b.migration.version, b.error);
   * ```
   */
  async checkCompat(queries: readonly (string | QueryText)[], options: CompatOptions = {}): Promise<CompatCheck> {
    const { order, applied } = await this.ready(false);
    const phase = options.phase ?? 'expand';
    const recorded = new Set(applied.map((row) => row.version));
    const base =
      options.from === undefined
        ? order.filter((m) => recorded.has(m.version))
        : order.slice(0, order.indexOf(findVersion(order, options.from)) + 1);
    const inBase = new Set(base);
    const pending = order.filter((m) => !inBase.has(m));
    const { plan: steps, phase: split } = await this.byPhase(order, pending, phase);
    const texts = queries.map((q, i) => (typeof q === 'string' ? { sql: q, source: `query ${i + 1}` } : q));
    const report = await checkQueries(this.driver, { base, steps, queries: texts, table: this.history.name });
    return { ...report, phase, waiting: split.waiting ?? [] };
  }

  /**
   * Table row counts, size, integrity checks and migration state, with one health verdict. Changes nothing, and works
   * before the history table exists.
   *
   * @example
   * ```ts
   * const { health, sizeBytes } = await manager.stats();
   * ```
   */
  async stats(): Promise<DatabaseStats> {
    const { order, applied, problems } = await this.inspect(false, true);
    return collectStats(this.driver, this.history.name, buildStatus(order, applied, problems));
  }

  /**
   * Applies pending migrations in order, each in its own transaction. Refuses to start, changing nothing, when the
   * set is invalid or an applied migration was edited, or, with migrations to apply, when the connection has a
   * transaction open. On a failure, that migration is rolled back (a `transaction: false` one, to what it committed
   * outside a transaction of its own), the connection settings a `PRAGMA` in it changed are set back, the run stops,
   * and a {@link RunError} says what was applied before it. When the driver has a lock ({@link Driver.exclusive}),
   * the whole run holds it; a dry run does not wait for it.
   *
   * If the process dies during a run, each migration is left applied or not, never half: SQLite rolls back the
   * interrupted transaction when the file is next opened, and a sql.js file, replaced whole by each save, holds the
   * state from before the run or after it. The exception is a `transaction: false` migration interrupted on a file
   * that SQLite writes through (better-sqlite3): the statements that finished before the crash stay applied, but the
   * migration is not recorded, so `status` shows it pending and a new run starts it again from its first statement.
   * Look at what it left, then either undo that by hand and run again, or finish it by hand and mark it applied. A
   * `transaction: false` migration whose statements can run twice (`CREATE INDEX IF NOT EXISTS`) needs neither.
   *
   * On a driver that writes through to its database (one without `persist`: what it reads is what is committed),
   * the history is read first without the lock: when every migration is applied already and nothing is wrong, there
   * is nothing to write, and the run returns without taking it, which is most of what a start-up with nothing to do
   * would otherwise wait for.
   */
  async migrate(options: MigrateOptions = {}): Promise<RunReport> {
    if (options.dryRun !== true && options.phase === undefined && this.driver.persist === undefined) {
      const nothing = await this.nothingToMigrate(options);
      if (nothing !== undefined) return nothing;
    }
    const run = async (persist: Persist): Promise<RunReport> => {
      const { order, applied, unadopted } = await this.ready(options.ignoreMissing === true);
      if (unadopted.length > 0 && options.dryRun !== true) {
        await adoptSquashes(this.driver, this.history, adoptions(unadopted, applied));
        await persist();
      }
      const planned = planMigrate(order, new Set(applied.map((row) => row.version)), options);
      const { plan, phase } = await this.byPhase(order, planned, options.phase);
      const report = await this.execute('up', refuseUnsafe(plan, 'both'), options.dryRun === true, persist);
      const late = outOfOrder(plan, applied);
      return { ...report, ...(late === undefined ? {} : { outOfOrder: late }), ...phase };
    };
    return options.dryRun === true ? run(this.persist) : this.exclusively(run);
  }

  /**
   * Rolls back with down.sql, each migration in its own transaction, newest first: one version, the `steps` most
   * recently applied migrations, or every applied migration after version `to` in run order (see
   * {@link RollbackTarget}). Refused, changing nothing, while another applied migration depends on one of them, unless
   * `cascade`; and when one of them is irreversible (`IRREVERSIBLE`: no down.sql, or one without a statement).
   *
   * @example
   * ```ts
   * await manager.rollback('003'); // { cascade: true } rolls back what depends on 003 first
   * await manager.rollback({ steps: 1 }); // the migration applied last
   * await manager.rollback({ to: '001' }, { dryRun: true }); // what rolling back everything after 001 would run
   * ```
   */
  async rollback(target: RollbackTarget, options: RollbackOptions = {}): Promise<RunReport> {
    const run = async (persist: Persist): Promise<RunReport> => {
      const { order, applied } = await this.ready(false);
      const plan = planRollback(
        order,
        applied.map((row) => row.version),
        target,
        options,
      );
      return this.execute('down', refuseUnsafe(plan, 'down'), options.dryRun === true, persist);
    };
    return options.dryRun === true ? run(this.persist) : this.exclusively(run);
  }

  /**
   * Re-records checksums in the history so that it matches the migrations folder again. With `version`, that applied
   * migration's, after an edit made on purpose (`UNKNOWN_VERSION` when no migration has it, `NOT_APPLIED` when it is
   * not applied). Without, every row whose only difference is line endings or a byte-order mark, as tools that did
   * not normalise up.sql recorded them; rows of edited migrations are listed in `skipped` and left alone. Rows that
   * repeat a version (`DUPLICATE_HISTORY`; of that version only, when one is named) are listed in `duplicates` and
   * removed, keeping the oldest. Nothing is written without `apply`; with it, every change is written in one
   * transaction.
   *
   * @example
   * ```ts
   * const preview = await manager.repair('002'); // { dryRun: true, changes: [{ version: '002', oldChecksum, newChecksum, … }], … }
   * if (preview.changes.length > 0) await manager.repair('002', { apply: true });
   * ```
   */
  async repair(version?: string, options: RepairOptions = {}): Promise<RepairReport> {
    const apply = options.apply === true;
    const run = async (persist: Persist): Promise<RepairReport> => {
      const plan = planRepair(this.check(true), await this.history.list(), version);
      if (apply && (plan.changes.length > 0 || plan.duplicates.length > 0)) {
        await repairHistory(this.driver, this.history, plan);
        await persist();
      }
      return { dryRun: !apply, ...plan };
    };
    return apply ? this.exclusively(run) : run(this.persist);
  }

  /**
   * Marks `version` and every migration it depends on, directly or not, as applied without running them: for a
   * database whose schema was made before Strata managed it. Creates the history table when missing. Refused when the
   * set has problems, when no migration has `version`, or when one of them is already recorded with another checksum
   * (`CHECKSUM_MISMATCH`); those already recorded with the same checksum are left as they are. Nothing is written
   * without `apply`; with it, every row is written in one transaction.
   *
   * @example
   * ```ts
   * const { marked } = await manager.baseline('003', { apply: true }); // 001, 002, 003 recorded, none run
   * ```
   */
  async baseline(version: string, options: BaselineOptions = {}): Promise<BaselineReport> {
    const apply = options.apply === true;
    const run = async (persist: Persist): Promise<BaselineReport> => {
      const plan = planBaseline(this.check(true), await this.history.list(), version);
      if (apply && plan.marked.length > 0) {
        await markApplied(this.driver, this.history, plan.marked);
        await persist();
      }
      return { dryRun: !apply, ...plan };
    };
    return apply ? this.exclusively(run) : run(this.persist);
  }

  /**
   * Removes the history rows of migration `version` when its folder is gone (`APPLIED_MISSING`), so that `migrate`
   * runs again without `ignoreMissing`. Nothing in the schema changes: what the migration made stays. Refused with
   * `MIGRATION_PRESENT` when a folder of that version exists, and `NOT_APPLIED` when no row records it. Nothing is
   * written without `apply`; with it, the rows go in one transaction.
   *
   * @example
   * ```ts
   * const preview = await manager.forget('004'); // { dryRun: true, version: '004', rows: [{ version: '004', name: 'gone', … }] }
   * await manager.forget('004', { apply: true });
   * ```
   */
  async forget(version: string, options: RepairOptions = {}): Promise<ForgetReport> {
    const apply = options.apply === true;
    const run = async (persist: Persist): Promise<ForgetReport> => {
      const plan = planForget(this.check(), this.loaded, await this.history.list(), version);
      if (apply) {
        await forgetHistory(this.driver, this.history, plan);
        await persist();
      }
      return { dryRun: !apply, ...plan };
    };
    return apply ? this.exclusively(run) : run(this.persist);
  }

  /**
   * The report of a run with nothing to do when the history, read now without the lock, shows every migration of the
   * plan applied and nothing wrong (no problem, no squash to adopt); undefined when the run must take the lock and
   * look again. It writes nothing, so it needs no lock: each migration it finds applied is committed.
   */
  private async nothingToMigrate(options: MigrateOptions): Promise<RunReport | undefined> {
    const rows = () => this.history.checksums();
    const state = await this.inspect(options.ignoreMissing === true, false, { rows, schema: false });
    if (state.problems.length > 0 || state.unadopted.length > 0) return undefined;
    const plan = planMigrate(state.order, new Set(state.applied.map((row) => row.version)), options);
    return plan.length > 0 ? undefined : { direction: 'up', dryRun: false, steps: [] };
  }

  /**
   * The part of a migrate plan that `phase` runs (all of it without one), after classifying it on a replay of `order`;
   * refused with `PHASE_MISMATCH` when a planned migration declares `phase: expand` but needs the contract phase.
   */
  private async byPhase(
    order: readonly Migration[],
    planned: readonly Migration[],
    phase: Phase | undefined,
  ): Promise<{ plan: readonly Migration[]; phase: { phase?: Phase; waiting?: readonly MigrationPhase[] } }> {
    if (phase === undefined) return { plan: planned, phase: {} };
    const wanted = new Set(planned);
    const phases = await classifyMigrations(this.driver, order, { table: this.history.name, only: (m) => wanted.has(m) });
    const mismatches = phaseMismatches(phases, (version) => planned.find((m) => m.version === version));
    if (mismatches.length > 0) throw new ValidationError(mismatches);
    const { apply, waiting } = planPhase(planned, new Map(phases.map((p) => [p.version, p])), phase);
    return { plan: apply, phase: { phase, waiting } };
  }

  /** The phases of the migrations `only` accepts, classified on a replay of the order, and their `PHASE_MISMATCH`es. */
  private async phases(
    state: Inspection,
    only: (migration: Migration) => boolean,
  ): Promise<{ phases: readonly MigrationPhase[]; problems: readonly StrataError[] }> {
    if (!state.order.some(only) || this.driver.scratch === undefined) return { phases: [], problems: [] };
    const phases = await classifyMigrations(this.driver, state.order, { table: this.history.name, only });
    return { phases, problems: phaseMismatches(phases, (version) => state.byVersion.get(version)) };
  }

  /** Saves through the driver, outside any lock it may have. */
  private readonly persist: Persist = async () => {
    await this.driver.persist?.();
  };

  /**
   * Runs `work` (a whole write: reading the history, planning, executing, saving) inside the driver's lock when it has
   * one, so that no other process migrates the same database in between. `work` saves through the lock it is given
   * and calls nothing else that locks, so the driver need not track calls made inside it (which costs time on every
   * promise on Node).
   */
  private exclusively<T>(work: (persist: Persist) => Promise<T>): Promise<T> {
    const { driver } = this;
    if (driver.exclusive === undefined) return work(this.persist);
    return driver.exclusive(
      (lock) => {
        const persist = () => lock.persist();
        return lock.soleWriter === true ? this.history.whileLocked(() => work(persist)) : work(persist);
      },
      { nested: false },
    );
  }

  /**
   * The set, checked; with `statements`, the statements of every migration too. `migrate` and `rollback`
   * check only those of the migrations they run ({@link refuseUnsafe}): an applied migration's never run again, and
   * checking them at every start-up would cost more than anything else a run with nothing to do.
   */
  private check(statements = false): CheckedSet {
    return checkSet(this.loaded, { statements });
  }

  /**
   * The checked set and the history, compared. `rows` reads the history (the whole of it by default); `schema: false`
   * leaves out the check of a squashed database's schema, which replays migrations.
   */
  private async inspect(
    ignoreMissing: boolean,
    statements: boolean,
    { rows = () => this.history.list(), schema = true }: { rows?: () => Promise<AppliedMigration[]>; schema?: boolean } = {},
  ): Promise<Inspection> {
    const checked = this.check(statements);
    const applied = await rows();
    // Each squash, or the originals it replaces, stands in the order as this database needs (see Squash).
    const { order, byVersion, problems: squashProblems, unadopted } = resolveSquashes(checked, applied);
    const problems = [...checked.problems, ...squashProblems];
    problems.push(...checkHistory(byVersion, applied, ignoreMissing, problems, checked.squashes));
    if (schema && problems.length === 0 && unadopted.length > 0) {
      problems.push(...(await checkSquashedSchema(this.driver, this.history.name, order, applied, unadopted)));
    }
    return { order, byVersion, applied, problems, unadopted, squashes: checked.squashes };
  }

  /** The problems, with `SCHEMA_DRIFT` when the drift check asked for finds differences, and the check's result. */
  private async withDrift(
    state: Inspection,
    options: InspectOptions,
  ): Promise<{ problems: readonly StrataError[] } & Partial<DriftCheck>> {
    if (options.drift !== true) return { problems: state.problems };
    const check = await checkDrift({
      driver: this.driver,
      table: this.history.name,
      byVersion: state.byVersion,
      applied: state.applied,
      problems: state.problems,
      historyExists: () => this.history.exists(),
      squashes: state.squashes,
    });
    if (!('drift' in check) || check.drift.length === 0) return { problems: state.problems, ...check };
    return { problems: [...state.problems, driftProblem(check.drift)], ...check };
  }

  private async ready(ignoreMissing: boolean): Promise<{
    order: readonly Migration[];
    applied: readonly AppliedMigration[];
    unadopted: readonly Squash[];
  }> {
    const state = await this.inspect(ignoreMissing, false);
    if (state.problems.length > 0) {
      // Refused anyway: the statements that would stop a later run (those of migrations not applied yet) are reported
      // at the same time, so that one fix does not only uncover the next problem.
      const applied = new Set(state.applied.map((row) => row.version));
      const pending = state.order.filter((m) => !applied.has(m.version));
      throw new ValidationError([...state.problems, ...pending.flatMap((m) => checkStatements(m))]);
    }
    return state;
  }

  private async execute(
    direction: 'up' | 'down',
    plan: readonly Migration[],
    dryRun: boolean,
    persist: Persist,
  ): Promise<RunReport> {
    // Refused before anything runs, dry run included, so a plan never stops half way on what the engine cannot do.
    await refuseUnbatchable(this.driver, plan);
    if (dryRun) {
      const steps = plan.map((m) => stepOf(m, 'planned', { sql: (direction === 'up' ? m.up : m.down) ?? '' }));
      return { direction, dryRun, steps };
    }
    // Each step's rollback would also undo what the application has not committed yet, and a transaction: false
    // migration would run inside it.
    if (plan.length > 0 && this.driver.inTransaction()) {
      throw new StrataError(
        'DATABASE_ERROR',
        `this connection has a transaction open, and the migrations would run inside it; commit or roll it back, then ${direction === 'up' ? 'migrate' : 'roll back'} again`,
      );
    }
    const steps: StepReport[] = [];
    const total = plan.length;
    let changed = false;
    try {
      for (const [index, migration] of plan.entries()) {
        this.onEvent?.({ type: 'start', direction, migration, index, total });
        let result: StepResult;
        try {
          result =
            direction === 'up'
              ? await applyMigration(this.driver, this.history, migration, this.onEvent)
              : await rollbackMigration(this.driver, this.history, migration, this.onEvent);
        } catch (error) {
          // What a transaction: false migration committed before it failed stays, and is saved with the run.
          changed ||= !migration.meta.transaction;
          steps.push(stepOf(migration, 'failed'));
          steps.push(...plan.slice(index + 1).map((m) => stepOf(m, 'not-run')));
          const failure =
            error instanceof StrataError ? error : new StrataError('DATABASE_ERROR', String(error), { cause: error });
          throw new RunError(failure, { direction, dryRun, steps });
        }
        changed ||= result.outcome === 'done';
        const status = result.outcome === 'skipped' ? 'skipped' : direction === 'up' ? 'applied' : 'rolled-back';
        const step = stepOf(migration, status, { durationMs: result.durationMs });
        steps.push(step);
        this.onEvent?.({ type: 'finish', step, index, total });
      }
    } finally {
      if (changed) await persist();
    }
    return { direction, dryRun, steps };
  }
}

/**
 * Refuses a plan, before anything runs, when a migration in it has a statement that cannot run in its transaction:
 * in either script of a migration about to be applied (its down.sql is for later, but it is new and is checked
 * whole), in down.sql of one about to be rolled back (its up.sql already ran).
 */
function refuseUnsafe(plan: readonly Migration[], scripts: StatementScripts): readonly Migration[] {
  const problems = plan.flatMap((m) => checkStatements(m, scripts));
  if (problems.length > 0) throw new ValidationError(problems);
  return plan;
}

/** The history rows to re-record when squashes are adopted: each squash's own version, from the original's checksum. */
function adoptions(unadopted: readonly Squash[], applied: readonly AppliedMigration[]) {
  return unadopted.flatMap(({ migration }) => {
    const row = applied.find((r) => versionKey(r.version) === versionKey(migration.version));
    return row === undefined ? [] : [{ version: row.version, oldChecksum: row.checksum, newChecksum: migration.checksum }];
  });
}
