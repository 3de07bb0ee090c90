import {
  type Compilable,
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Updateable,
} from 'kysely';
import type { CaseCrafterDatabase } from './schema.js';

/** The service's typed connection. */
export type Db = Kysely<CaseCrafterDatabase>;

/** What a new case study is made of. */
export interface NewCaseStudy {
  readonly domainId: number;
  readonly authorId: number | null;
  readonly title: string;
  readonly summary: string | null;
  readonly difficulty: 'beginner' | 'intermediate' | 'advanced';
}

// Every query the service runs is built here, by a named function, so that the whole set can be compiled without a
// database (see serverQueries) and checked against the migrations a deployment is about to apply.

/** The domains, by name. */
export const domainsList = (db: Db) => db.selectFrom('domains').select(['slug', 'name', 'description']).orderBy('name');

/** The id of the domain `slug`. */
export const domainBySlug = (db: Db, slug: string) => db.selectFrom('domains').select('id').where('slug', '=', slug);

/** A domain's published case studies, newest first. */
export const publishedCaseStudies = (db: Db, domainId: number) =>
  db
    .selectFrom('case_studies')
    .select(['id', 'title', 'summary', 'difficulty', 'published_at'])
    .where('domain_id', '=', domainId)
    .where('status', '=', 'published')
    .orderBy('published_at', 'desc');

/** Every setting, by key. */
export const settingsList = (db: Db) => db.selectFrom('settings').select(['key', 'value']).orderBy('key');

/** Adds a draft case study, returning its id. */
export const caseStudyInsert = (db: Db, caseStudy: NewCaseStudy) =>
  db
    .insertInto('case_studies')
    .values({
      domain_id: caseStudy.domainId,
      author_id: caseStudy.authorId,
      title: caseStudy.title,
      summary: caseStudy.summary,
      difficulty: caseStudy.difficulty,
    })
    .returning('id');

/** Changes a case study's text and status. */
export const caseStudyUpdate = (
  db: Db,
  id: number,
  changes: Pick<Updateable<CaseCrafterDatabase['case_studies']>, 'title' | 'summary' | 'status' | 'published_at'>,
) => db.updateTable('case_studies').set(changes).where('id', '=', id);

/** Sets the value of the setting `key`. */
export const settingUpdate = (db: Db, key: string, value: string) =>
  db.updateTable('settings').set({ value }).where('key', '=', key);

/** Each builder with example arguments: the values only become `?` parameters. */
const BUILDERS: Readonly<Record<string, (db: Db) => Compilable>> = {
  domainsList: (db) => domainsList(db),
  domainBySlug: (db) => domainBySlug(db, 'law'),
  publishedCaseStudies: (db) => publishedCaseStudies(db, 1),
  settingsList: (db) => settingsList(db),
  caseStudyInsert: (db) =>
    caseStudyInsert(db, { domainId: 1, authorId: null, title: 'A case', summary: null, difficulty: 'beginner' }),
  caseStudyUpdate: (db) =>
    caseStudyUpdate(db, 1, { title: 'A case', summary: null, status: 'published', published_at: '2025-01-15 10:30:00' }),
  settingUpdate: (db) => settingUpdate(db, 'theme', 'dark'),
};

/**
 * The SQL of every query the service runs, by the name of the function that builds it, with its parameters as `?`.
 * They are compiled by kysely's SQLite compiler without a database.
 *
 * @example
 * ```ts
 * serverQueries()[0]; // { name: 'domainsList', sql: 'select "slug", "name", "description" from "domains" order by "name"' }
 * ```
 */
export function serverQueries(): { name: string; sql: string }[] {
  const db = new Kysely<CaseCrafterDatabase>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => new SqliteIntrospector(kysely),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  return Object.entries(BUILDERS).map(([name, build]) => ({ name, sql: build(db).compile().sql }));
}

/**
 * {@link serverQueries} as a `.sql` file, each statement after a `-- name: <name>` line, as Strata reads the queries
 * of an application version.
 *
 * @example
 * ```ts
 * writeFileSync('queries.sql', serverQueriesSql());
 * ```
 */
export function serverQueriesSql(): string {
  return serverQueries()
    .map(({ name, sql }) => `-- name: ${name}\n${sql};\n`)
    .join('\n');
}
