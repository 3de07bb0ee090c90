// The contract suites on a sqld server, over HTTP and over WebSockets (hrana): each database path a test opens is a
// server of its own, so every new path is a new empty database.
import { createLibsqlDriver } from '@strata/driver-libsql';
import { kyselyDialect } from '@strata/driver-libsql/kysely';
import { afterAll } from 'vitest';
import { describeHistoryContract } from '../../../test/support/contract-history.js';
import { describePlannerContract } from '../../../test/support/contract-planner.js';
import { describeStatementsContract } from '../../../test/support/contract-statements.js';
import { describeDriverContract } from '../../../test/support/driver-contract.js';
import { sqldPerPath } from './sqld.js';

const servers = sqldPerPath();
afterAll(() => servers.stopAll());

for (const scheme of ['http', 'ws'] as const) {
  const name = `libsql over ${scheme}`;
  const open = async (path: string) => createLibsqlDriver({ url: await servers.urlOf(path, scheme) });
  describeDriverContract(name, {
    open,
    kysely: kyselyDialect,
    sharesFileBetweenConnections: false,
    atomicBatches: true,
    offsetsInCauses: true,
  });
  describeHistoryContract(name, open);
  describePlannerContract(name, open);
  // Over one protocol: what it checks is how a migration's statements reach the engine, the same over both.
  if (scheme === 'http') describeStatementsContract(name, open, { atomicBatches: true, pooledConnections: true });
}
