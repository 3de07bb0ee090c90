import { LibsqlDialect } from '@libsql/kysely-libsql';
import type { Dialect } from 'kysely';
import type { LibsqlDriver } from './index.js';

type DialectClient = Extract<ConstructorParameters<typeof LibsqlDialect>[0], { client: unknown }>['client'];

/**
 * A kysely dialect (`@libsql/kysely-libsql`) over the driver's client, so typed queries see exactly the schema Strata
 * migrated. Its transactions are the client's interactive ones (`client.transaction()`): over the network, a server
 * takes one away after a few seconds of waiting writers, so keep them short.
 *
 * `kysely.destroy()` does not close the client: the driver owns it, and `driver.close()` closes it.
 *
 * @example
 * ```ts
 * const driver = await createLibsqlDriver({ url: 'http://127.0.0.1:8080' });
 * const db = new Kysely<DB>({ dialect: kyselyDialect(driver) });
 * const users = await db.selectFrom('users').selectAll().execute();
 * ```
 */
export function kyselyDialect(driver: LibsqlDriver): Dialect {
  // The dialect is typed against an older release of the client; the methods it calls are the same.
  return new LibsqlDialect({ client: driver.client as unknown as DialectClient });
}
