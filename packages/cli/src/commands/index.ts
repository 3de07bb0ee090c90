import { backupCommand } from './backup.js';
import { baselineCommand } from './baseline.js';
import { bundleCommand } from './bundle.js';
import { checkCompatCommand } from './check-compat.js';
import type { Command } from './command.js';
import { diffCommand } from './diff.js';
import { forgetCommand } from './forget.js';
import { migrateCommand } from './migrate.js';
import { newCommand } from './new.js';
import { repairCommand } from './repair.js';
import { restoreCommand } from './restore.js';
import { rollbackCommand } from './rollback.js';
import { schemaCommand } from './schema.js';
import { squashCommand } from './squash.js';
import { statsCommand } from './stats.js';
import { statusCommand } from './status.js';
import { validateCommand } from './validate.js';

/** Every command, in the order help lists them. A new command is one file and one entry here. */
export const commands: readonly Command[] = [
  migrateCommand,
  statusCommand,
  rollbackCommand,
  validateCommand,
  repairCommand,
  baselineCommand,
  forgetCommand,
  newCommand,
  statsCommand,
  backupCommand,
  restoreCommand,
  bundleCommand,
  schemaCommand,
  squashCommand,
  diffCommand,
  checkCompatCommand,
];
