import type { Contender } from './contender.js';
import { contender as dbmate } from './contenders/dbmate.js';
import { contender as drizzle } from './contenders/drizzle.js';
import { floorBetterSqlite3, floorReadingAll, floorSqlJs } from './contenders/floor.js';
import { contender as knex } from './contenders/knex.js';
import { contender as kysely } from './contenders/kysely.js';
import { contender as postgrator } from './contenders/postgrator.js';
import { squashedBetterSqlite3 } from './contenders/squashed.js';
import { strataBetterSqlite3, strataSqlJs } from './contenders/strata.js';
import { contender as umzug } from './contenders/umzug.js';

/**
 * Every contender: each floor, then Strata on that library (on better-sqlite3 also with the corpus squashed), then the other tools (all on better-sqlite3 but dbmate).
 * The floor that reads every file is a reference row beside its floor.
 */
export const contenders: readonly Contender[] = [
  floorBetterSqlite3,
  floorReadingAll,
  strataBetterSqlite3,
  squashedBetterSqlite3,
  drizzle,
  postgrator,
  knex,
  umzug,
  kysely,
  dbmate,
  floorSqlJs,
  strataSqlJs,
];
