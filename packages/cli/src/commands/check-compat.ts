import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CompatCheck, readQueries, StrataError } from '@strata/core';
import type { Palette } from '../color.js';
import { shownPath } from '../render/paths.js';
import { phaseEntryLines } from '../render/phases.js';
import { plural } from '../render/steps.js';
import type { Command } from './command.js';

/** `check-compat --queries FILE [--phase expand|contract] [--from V]`: do the previous version's statements still compile? */
export const checkCompatCommand: Command = {
  name: 'check-compat',
  summary: "check that the previous version's queries still compile after the expand phase",
  usage: ['check-compat --queries FILE [--phase expand|contract] [--from V]'],
  description: [
    'Compiles every statement the previous version of the application runs (FILE: a .sql file of statements, or a',
    '.json list of SQL texts or of {"name", "sql"} objects) against the schema after each migration of the expand',
    'phase, on a replay in memory, and lists each statement that stops compiling (a table or column it names is gone)',
    'with the migration after which it does. Compiling is what SQLite does before it runs a statement: it checks',
    'names and syntax, runs nothing and binds nothing, so statements may keep their ? and :name parameters. It does',
    'not check constraints: a new NOT NULL column without a default or a new CHECK is what the expand/contract',
    'classification finds (see migrate --phase).',
    '',
    'The previous version runs on the migrations the database has applied, or with --from V on V and what precedes',
    'it (no database needed). A statement of FILE that does not compile there already is listed apart: it is not the',
    "previous version's, or FILE is not. In a .sql file, a line `-- name: <name>` right before a statement names it.",
    '--phase contract checks every migration after the base, to see what the contract phase will break.',
  ].join('\n'),
  options: {
    queries: {
      type: 'string',
      value: 'FILE',
      required: true,
      description: 'the statements of the previous version (.sql or .json)',
    },
    phase: {
      type: 'string',
      value: 'P',
      choices: ['expand', 'contract'],
      description: 'expand (default): the migrations the expand phase applies; contract: every pending one',
    },
    from: {
      type: 'string',
      value: 'V',
      format: 'version',
      description: 'the last migration the previous version runs on (default: what the database has applied)',
    },
  },
  args: [],
  notes:
    'Exit codes: 0 every statement compiles; 1 one stops compiling or fails already on the base, or an error;\n2 a usage error.',
  async run({ open, values, settings }) {
    const file = resolve(settings.cwd, String(values.queries));
    const shown = shownPath(settings.cwd, file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new StrataError('INVALID_OPTION', `--queries ${shown} cannot be read: ${String(error)}`, {
        file: shown,
        cause: error,
      });
    }
    const queries = readQueries(text, shown);
    const phase = values.phase === 'contract' ? 'contract' : 'expand';
    const from = typeof values.from === 'string' ? values.from : undefined;
    const { manager } = await open({ write: false });
    const report = await manager.checkCompat(queries, { phase, ...(from === undefined ? {} : { from }) });
    const failed = report.broken.length > 0 || report.failingBefore.length > 0;
    return {
      data: report,
      exitCode: failed ? 1 : 0,
      render: (view) => {
        view.out(compatLines(report, view.color).join('\n'));
        if (failed) {
          const counts = [
            report.broken.length > 0 ? `${report.broken.length} stop compiling` : '',
            report.failingBefore.length > 0 ? `${report.failingBefore.length} fail on the base already` : '',
          ].filter(Boolean);
          view.err(`${view.errColor.red('check-compat')}: of ${plural(report.checked, 'statement')}, ${counts.join(', ')}.`);
        }
      },
    };
  },
};

/** `001_a, 002_b`, or for more than three `001_a … 040_z (40 migrations)`; `none` for none. */
function range(steps: readonly { version: string; name: string }[]): string {
  const named = steps.map((s) => `${s.version}_${s.name}`);
  if (named.length <= 3) return named.length === 0 ? 'none' : named.join(', ');
  return `${named[0]} … ${named.at(-1)} (${named.length} migrations)`;
}

/** The report: what was checked against what, each statement that broke, and what waits unchecked. */
function compatLines(report: CompatCheck, c: Palette): string[] {
  const lines = [
    `Checked ${plural(report.checked, 'statement')} of the previous version (on ${range(report.base)})`,
    `against the ${report.phase} phase: ${range(report.steps)}.`,
  ];
  const sql = (text: string) => `      ${c.dim(text.replace(/\s+/g, ' ').trim())}`;
  if (report.broken.length === 0 && report.failingBefore.length === 0)
    lines.push(`${c.green('OK')}: every statement still compiles.`);
  for (const b of report.broken) {
    lines.push(
      `  ${c.red('✗')} ${b.query.source}: after ${b.migration.version}_${b.migration.name}: ${b.error}`,
      sql(b.query.sql),
    );
  }
  if (report.failingBefore.length > 0) {
    lines.push('', 'Not compiling on the base already (not statements of the previous version?):');
    for (const f of report.failingBefore) lines.push(`  ${c.red('✗')} ${f.query.source}: ${f.error}`, sql(f.query.sql));
  }
  if (report.waiting.length > 0) {
    lines.push('', 'Not checked, waiting for the contract phase:', ...report.waiting.flatMap((p) => phaseEntryLines(p, c)));
  }
  return lines;
}
