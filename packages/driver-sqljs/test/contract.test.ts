import { kyselyDialect } from '@strata/driver-sqljs/kysely';
import { openSqlJsFile, sqlJsFiles } from '@strata/driver-sqljs/node';
import { describeBundleContract } from '../../../test/support/contract-bundle.js';
import { describeCompatContract } from '../../../test/support/contract-compat.js';
import { describeDatabaseManagerContract } from '../../../test/support/contract-database-manager.js';
import { describeDriftContract } from '../../../test/support/contract-drift.js';
import { describeGenerateContract } from '../../../test/support/contract-generate.js';
import { describeGeneratePropertyContract } from '../../../test/support/contract-generate-property.js';
import { describeHistoryContract } from '../../../test/support/contract-history.js';
import { describeManyContract } from '../../../test/support/contract-many.js';
import { describeNonTransactionalContract } from '../../../test/support/contract-nontransactional.js';
import { describePhasesContract } from '../../../test/support/contract-phases.js';
import { describePlannerContract } from '../../../test/support/contract-planner.js';
import { describeRecoveryContract } from '../../../test/support/contract-recovery.js';
import { describeReplayContract } from '../../../test/support/contract-replay.js';
import { describeSchemaContract } from '../../../test/support/contract-schema.js';
import { describeSquashContract } from '../../../test/support/contract-squash.js';
import { describeStatementsContract } from '../../../test/support/contract-statements.js';
import { describeStatsContract } from '../../../test/support/contract-stats.js';
import { describeDriverContract } from '../../../test/support/driver-contract.js';

const open = (path: string) => openSqlJsFile(path);

// Each sql.js driver holds its own in-memory copy of the file.
describeDriverContract('sql.js', { open, kysely: kyselyDialect, sharesFileBetweenConnections: false });
// sql.js keeps the database in memory, but on SQLite's default rollback journal.
describeStatsContract('sql.js', open, { journalMode: 'delete' });
describeDatabaseManagerContract('sql.js', sqlJsFiles, kyselyDialect);
describeStatementsContract('sql.js', open);
describeSchemaContract('sql.js', open);
describeGenerateContract('sql.js', open);
describeGeneratePropertyContract('sql.js', open);
describeDriftContract('sql.js', open);
describeSquashContract('sql.js', open);
describePlannerContract('sql.js', open);
describePhasesContract('sql.js', open);
describeRecoveryContract('sql.js', open);
describeReplayContract('sql.js', open);
describeCompatContract('sql.js', open);
describeNonTransactionalContract('sql.js', open);
describeHistoryContract('sql.js', open);
describeManyContract('sql.js', sqlJsFiles);
describeBundleContract('sql.js', open);
