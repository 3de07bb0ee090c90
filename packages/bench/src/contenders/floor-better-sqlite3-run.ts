// The floor for better-sqlite3: the least a script must do to apply the same migrations. It lists the migration
// folders, reads each up.sql (down.sql when rolling back), and runs each pending one with its bookkeeping row in one
// transaction (`floorMigrate`). No validation, no checksums, no dependency graph: whatever Strata costs beyond this
// is its overhead. With STRATA_FLOOR_READS=all it also lists each folder and reads every file in it, parsing none:
// the reading that checking a migration's up.sql, down.sql and meta.yaml cannot do without, as a reference.
import { readdirSync } from 'node:fs';
import { floorMigrate } from './floor-better-sqlite3-apply.js';

const [action, dir, file] = process.argv.slice(2) as [string, string, string];
floorMigrate(file, dir, readdirSync(dir).sort(), action, process.env.STRATA_FLOOR_READS === 'all');
