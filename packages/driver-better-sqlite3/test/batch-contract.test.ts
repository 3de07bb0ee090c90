// The contract suites through the core's batch path (`Driver.batch`), on better-sqlite3 made to behave as an engine
// without interactive transactions: what rqlite and libSQL over the network get, tried on a plain file.
import type { Driver } from '@strata/core';
import { type BetterSqlite3Driver, createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { kyselyDialect } from '@strata/driver-better-sqlite3/kysely';
import { batchOnly } from '../../../test/support/batch-driver.js';
import { describeCompatContract } from '../../../test/support/contract-compat.js';
import { describeDriftContract } from '../../../test/support/contract-drift.js';
import { describeHistoryContract } from '../../../test/support/contract-history.js';
import { describePhasesContract } from '../../../test/support/contract-phases.js';
import { describePlannerContract } from '../../../test/support/contract-planner.js';
import { describeRecoveryContract } from '../../../test/support/contract-recovery.js';
import { describeReplayContract } from '../../../test/support/contract-replay.js';
import { describeSchemaContract } from '../../../test/support/contract-schema.js';
import { describeSquashContract } from '../../../test/support/contract-squash.js';
import { describeStatementsContract } from '../../../test/support/contract-statements.js';
import { describeDriverContract } from '../../../test/support/driver-contract.js';

const inner = new WeakMap<Driver, BetterSqlite3Driver>();
const open = async (filename: string): Promise<Driver> => {
  const native = await createBetterSqlite3Driver({ filename });
  const driver = batchOnly(native);
  inner.set(driver, native);
  return driver;
};
const kysely = (driver: Driver) => {
  const native = inner.get(driver);
  if (native === undefined) throw new Error('not a driver of this file');
  return kyselyDialect(native);
};

describeDriverContract('atomic batches', { open, kysely, sharesFileBetweenConnections: true, atomicBatches: true });
describeHistoryContract('atomic batches', open);
describePlannerContract('atomic batches', open);
describeStatementsContract('atomic batches', open, { atomicBatches: true });
describeSchemaContract('atomic batches', open);
describeDriftContract('atomic batches', open);
describeSquashContract('atomic batches', open);
describePhasesContract('atomic batches', open);
describeRecoveryContract('atomic batches', open);
describeReplayContract('atomic batches', open);
describeCompatContract('atomic batches', open);
