import { basename } from 'node:path';
import { shownPath } from '../render/paths.js';
import type { Command } from './command.js';

/** `new <name> [--timestamp] [--depends V,...] [--description TEXT]`: scaffold the next migration folder. */
export const newCommand: Command = {
  name: 'new',
  summary: 'scaffold the next migration folder',
  usage: ['new <name> [--timestamp] [--depends V,...] [--description TEXT]'],
  description: [
    'Creates the next migration folder in the migrations folder (created when missing): its version is the highest',
    'version there plus one, zero-padded to the width the folder already uses (at least three digits). With',
    '--timestamp, or "versions: timestamp" in the config file, it is the time in UTC as YYYYMMDDHHMMSS',
    '(20261203154500), so migrations written on two branches at once do not both take the next number. The name is',
    'written in lower snake_case; words, dashes and camelCase are converted ("add user tags" → add_user_tags), and',
    'anything else, or a name another migration has, is refused. The folder holds up.sql and down.sql, each with only',
    'a comment, and meta.yaml with the description, dependencies and created_at. validate reports a comment-only',
    'up.sql (INVALID_MIGRATION) and migrate refuses to start until its SQL is written; a down.sql left as comments',
    'makes the migration irreversible, which validate warns about.',
    'Nothing existing is ever overwritten. Does not open the database.',
  ].join('\n'),
  options: {
    timestamp: { type: 'boolean', description: 'number the migration by the time in UTC (YYYYMMDDHHMMSS)' },
    depends: { type: 'string', value: 'V,...', description: 'versions the new migration depends on; each must exist' },
    description: { type: 'string', value: 'text', description: 'the description in meta.yaml (default: the name in words)' },
  },
  args: [{ name: 'name', required: true }],
  notes:
    'Exit codes: 0 created; 1 refused: an invalid or taken name (INVALID_MIGRATION), a dependency that does not\nexist (MISSING_DEPENDENCY) or is not a version (INVALID_OPTION); 2 a usage error.',
  async run({ values, args, settings }) {
    const [name = ''] = args;
    const dependencies = typeof values.depends === 'string' ? values.depends.split(/[\s,]+/).filter((d) => d !== '') : [];
    const description = typeof values.description === 'string' ? values.description : undefined;
    const { scaffoldMigration } = await import('@strata/core/node/operations');
    const versions = values.timestamp === true ? 'timestamp' : settings.versions;
    const result = await scaffoldMigration(settings.dir, name, { dependencies, description, versions });
    return {
      data: result,
      exitCode: 0,
      render: (view) => {
        const folder = shownPath(settings.cwd, result.path);
        view.out(`Created ${folder}/`);
        for (const file of result.files) view.out(`  ${view.color.green('+')} ${folder}/${basename(file)}`);
        view.out(`Write the SQL in up.sql and down.sql, then check it with "strata validate".`);
      },
    };
  },
};
