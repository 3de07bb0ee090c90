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
  /** Where start-up lines go. */
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
 * then starts serving. If a migration fails, nothing listens: the error names the migration and the backup.
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
  const { startup } = db;
  if (startup.backup !== undefined) log(`backup before migrating: ${startup.backup.file}`);
  const applied = startup.report?.steps.filter((step) => step.status === 'applied') ?? [];
  log(applied.length === 0 ? 'database up to date' : `applied ${applied.map((step) => step.folder).join(', ')}`);

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
  await listen(server, options.port ?? 3000, options.host ?? '127.0.0.1').catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
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

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
