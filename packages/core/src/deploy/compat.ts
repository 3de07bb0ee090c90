import type { Driver } from '../driver.js';
import { messageOf } from '../errors.js';
import type { Migration } from '../migration.js';
import { compileStatement } from '../run/compile.js';
import { ON_REPLAY, Replay } from '../schema/replay.js';
import { tokenize } from '../sql/tokens.js';
import type { QueryText } from './queries.js';

/** A migration, as a compatibility report names it. */
export interface CompatStep {
  readonly version: string;
  readonly name: string;
}

/** A query the previous application version runs that stops compiling after a migration. */
export interface BrokenQuery {
  readonly query: QueryText;
  /** The first migration after which it no longer compiles. */
  readonly migration: CompatStep;
  /** SQLite's message, such as `no such column: name`. */
  readonly error: string;
}

/** What {@link checkQueries} found. */
export interface CompatReport {
  /** How many queries were checked. */
  readonly checked: number;
  /** The migrations the previous version ran on, replayed first. */
  readonly base: readonly CompatStep[];
  /** The migrations checked, in the order they were applied. */
  readonly steps: readonly CompatStep[];
  /** Each query that compiled on the base and stops compiling, with the first step after which it fails. */
  readonly broken: readonly BrokenQuery[];
  /** The queries that do not compile on the base already: they say nothing about the steps. */
  readonly failingBefore: readonly { readonly query: QueryText; readonly error: string }[];
}

/** Options of {@link checkQueries}. */
export interface CheckQueriesOptions {
  /** The migrations the previous application version ran on, in run order. */
  readonly base: readonly Migration[];
  /** The migrations to check, in run order, applied after `base`. */
  readonly steps: readonly Migration[];
  /** The queries the previous application version runs. */
  readonly queries: readonly QueryText[];
  /** The history table's name on the replay. Default `schema_migrations`. */
  readonly table?: string;
}

/**
 * Proves that the queries of the previous application version still compile while new migrations are applied under
 * it, as in a blue-green deployment where the old version keeps serving until the new one takes over.
 *
 * On an empty database in memory (a {@link Replay} opened through `driver.scratch()`, so no real database is
 * touched), it applies `base`, compiles every query, then applies each step and compiles again the queries that still
 * compiled, reporting each one that stops at the step after which it first fails. Compiling (SQLite's prepare, or
 * `EXPLAIN` on a driver without `compile()`) runs nothing: it finds missing tables and columns and syntax SQLite no
 * longer accepts, not constraints such as NOT NULL or CHECK that only fail on the rows a statement writes; classifying
 * migrations as expand or contract covers those. A migration that fails on the replay is thrown as `Replay` throws it
 * (`REPLAY_FAILED`), as is one that attaches or writes a database file, which is not run. The replay is closed in every case.
 *
 * @example
 * ```ts
 * const queries = readQueries(await readFile('queries.sql', 'utf8'), 'queries.sql');
 * const report = await checkQueries(driver, { base: migrations.slice(0, 3), steps: migrations.slice(3), queries });
 * for (const { query, migration, error } of report.broken) console.log(`${query.source}: ${error} after ${migration.version}`);
 * ```
 */
export async function checkQueries(driver: Driver, options: CheckQueriesOptions): Promise<CompatReport> {
  const replay = await Replay.open(driver, options.table);
  try {
    for (const migration of options.base) await replay.apply(migration, ON_REPLAY);
    const failingBefore: { query: QueryText; error: string }[] = [];
    let compiling: QueryText[] = [];
    for (const query of options.queries) {
      const error = await compileError(replay.driver, query);
      if (error === undefined) compiling.push(query);
      else failingBefore.push({ query, error });
    }
    const broken: BrokenQuery[] = [];
    for (const migration of options.steps) {
      await replay.apply(migration, ON_REPLAY);
      const still: QueryText[] = [];
      for (const query of compiling) {
        const error = await compileError(replay.driver, query);
        if (error === undefined) still.push(query);
        else broken.push({ query, migration: stepOf(migration), error });
      }
      compiling = still;
    }
    return {
      checked: options.queries.length,
      base: options.base.map(stepOf),
      steps: options.steps.map(stepOf),
      broken,
      failingBefore,
    };
  } finally {
    await replay.close();
  }
}

/** SQLite's message when `query` does not compile on `driver`; undefined when it does. */
async function compileError(driver: Driver, query: QueryText): Promise<string | undefined> {
  try {
    await compileStatement(driver, identifiersQuoted(query.sql));
    return undefined;
  } catch (error) {
    return messageOf(error);
  }
}

function stepOf(migration: Migration): CompatStep {
  return { version: migration.version, name: migration.name };
}

/**
 * `sql` with each `"…"` token written `` `…` ``: both quote an identifier, but where SQLite is built to accept
 * double-quoted strings (sql.js is), a `"name"` that names no column any more is taken for the string 'name' and the
 * statement still compiles, reading a constant. A backquoted name is only ever an identifier, so a column that is gone
 * fails to compile on every build.
 *
 * @example
 * ```ts
 * identifiersQuoted('select "name" from "domains"'); // 'select `name` from `domains`'
 * ```
 */
export function identifiersQuoted(sql: string): string {
  let out = '';
  let at = 0;
  for (const token of tokenize(sql)) {
    if (token.kind !== 'quoted' || sql[token.start] !== '"' || token.end - token.start < 2 || sql[token.end - 1] !== '"')
      continue;
    const name = sql.slice(token.start + 1, token.end - 1).replaceAll('""', '"');
    out += `${sql.slice(at, token.start)}\`${name.replaceAll('`', '``')}\``;
    at = token.end;
  }
  return out + sql.slice(at);
}
