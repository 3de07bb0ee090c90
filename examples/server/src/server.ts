import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseManager, type DatabaseManagerOptions } from '@strata/core/node';
import { betterSqlite3 } from '@strata/driver-better-sqlite3';
import { kyselyDialect } from '@strata/driver-better-sqlite3/kysely';
import { answer } from './routes.js';
import type { CaseCrafterDatabase } from './schema.js';

/** Where the service keeps its data and listens. */
export interface ServiceOptions {
  /** The database file; without it, `case-crafter.db` in the per-user data folder of the app. */
  readonly file?: string;
  /** The migrations folder. */
  readonly migrations: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /**
   * Where start-up lines go: the backup taken before migrating (if one was), then
   * `database <file>: 3 migrations applied (just now: 001_initial_schema, …), 0 pending`, then `listening on <url>`.
   */
  readonly log?: (line: string) => void;
}

/** A service that is listening. */
export interface RunningService {
  readonly url: string;
  readonly db: DatabaseManager<CaseCrafterDatabase>;
  /** Stops accepting requests, waits for open ones, and closes the database. */
  close(): Promise<void>;
}

/**
 * Opens the database — which applies pending migrations, taking a backup first when there is data to protect — and
 * then starts serving. If a migration fails, nothing listens: the error names the migration and the backup. If the
 * port cannot be listened on, the database is closed again and the listening error is thrown.
 *
 * @example
 * ```ts
 * const service = await startService({ file: 'case-crafter.db', migrations: 'migrations', port: 0, log: console.log });
 * await service.close();
 * ```
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const log = options.log ?? (() => {});
  const target: Pick<DatabaseManagerOptions, 'file' | 'appName'> =
    options.file === undefined ? { appName: 'case-crafter' } : { file: options.file };
  const db = await DatabaseManager.open<CaseCrafterDatabase>({
    ...target,
    driver: betterSqlite3,
    migrations: options.migrations,
    kysely: kyselyDialect,
  });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return reply(405, { error: 'only GET is served' });
    answer(db, url.pathname).then(
      ({ status, body }) => reply(status, body),
      (error: unknown) => reply(500, { error: error instanceof Error ? error.message : String(error) }),
    );
  });
  try {
    if (db.startup.backup !== undefined) log(`backup before migrating: ${db.startup.backup.file}`);
    log(await databaseLine(db));
    await listen(server, options.port ?? 3000, options.host ?? '127.0.0.1');
  } catch (error) {
    await db.close();
    throw error;
  }
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address}:${port}`;
  log(`listening on ${url}`);
  return {
    url,
    db,
    async close() {
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await db.close();
    },
  };
}

/** `database <file>: 3 migrations applied (just now: 001_…, …), 0 pending`: what start-up opened and found. */
async function databaseLine(db: DatabaseManager<CaseCrafterDatabase>): Promise<string> {
  const { applied, pending } = await db.migrations.status();
  const now = db.startup.report?.steps.filter((step) => step.status === 'applied').map((step) => step.folder) ?? [];
  const justNow = now.length === 0 ? '' : ` (just now: ${now.join(', ')})`;
  return `database ${db.file}: ${applied.length} migrations applied${justNow}, ${pending.length} pending`;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
