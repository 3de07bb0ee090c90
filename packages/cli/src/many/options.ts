import type { OptionSpec } from '../commands/command.js';

/** `--concurrency N`, which migrate, status and validate take over many databases. */
export const concurrencyOption: OptionSpec = {
  type: 'string',
  value: 'N',
  description: 'over many databases: how many run at once, each in a worker thread (default: the number of cores)',
};

/** The options of `migrate` over many databases. */
export const migrateManyOptions: Readonly<Record<string, OptionSpec>> = {
  concurrency: concurrencyOption,
  'fail-fast': { type: 'boolean', description: 'over many databases: after a failure, start no other database' },
  report: { type: 'string', value: 'FILE', description: 'over many databases: also write the JSON report to FILE' },
  resume: {
    type: 'string',
    value: 'FILE',
    description: 'retry the databases a --report FILE lists as failed or not started (same migrations only)',
  },
};
