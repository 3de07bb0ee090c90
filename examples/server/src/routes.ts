import type { DatabaseManager } from '@strata/core/node';
import { domainBySlug, domainsList, publishedCaseStudies, settingsList } from './queries.js';
import type { CaseCrafterDatabase } from './schema.js';

/** A JSON answer: status code and body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

type Route = (db: DatabaseManager<CaseCrafterDatabase>, params: Readonly<Record<string, string>>) => Promise<Answer>;

const ok = (body: unknown): Answer => ({ status: 200, body });

/** The read endpoints, by path pattern; `:name` segments become params. */
const routes: ReadonlyArray<readonly [string, Route]> = [
  [
    '/health',
    async (db) => {
      const stats = await db.stats();
      return {
        status: stats.health.status === 'error' ? 503 : 200,
        body: { health: stats.health, migrations: stats.migrations },
      };
    },
  ],
  [
    '/migrations',
    async (db) => {
      const status = await db.migrations.status();
      return ok({ ...status, problems: status.problems.map((problem) => problem.toJSON()) });
    },
  ],
  ['/domains', async (db) => ok(await domainsList(db.kysely).execute())],
  [
    '/domains/:slug/case-studies',
    async (db, { slug = '' }) => {
      const domain = await domainBySlug(db.kysely, slug).executeTakeFirst();
      if (domain === undefined) return { status: 404, body: { error: `no domain "${slug}"` } };
      return ok(await publishedCaseStudies(db.kysely, domain.id).execute());
    },
  ],
  [
    '/settings',
    async (db) => {
      const rows = await settingsList(db.kysely).execute();
      return ok(Object.fromEntries(rows.map((row) => [row.key, row.value])));
    },
  ],
];

/** Finds the route for `path` and answers it; unknown paths get 404. */
export async function answer(db: DatabaseManager<CaseCrafterDatabase>, path: string): Promise<Answer> {
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const [pattern, route] of routes) {
    const parts = pattern.split('/').filter(Boolean);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = parts.every((part, i) => {
      const segment = segments[i] ?? '';
      if (part.startsWith(':')) params[part.slice(1)] = segment;
      return part.startsWith(':') || part === segment;
    });
    if (matches) return route(db, params);
  }
  return { status: 404, body: { error: `no route for ${path}` } };
}
