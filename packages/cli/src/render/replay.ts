import { type NotReplayed, type RoundTripResult, summarize } from '@strata/core';
import type { Palette } from '../color.js';

/**
 * One line per migration of `validate --round-trip`, under a heading, as step lines look:
 * `  ✓ 001 initial_schema  down.sql restores it`. Nothing when no round trip ran.
 */
export function roundTripLines(results: readonly RoundTripResult[], c: Palette): string[] {
  if (results.length === 0) return [];
  return ['Round trips:', ...results.map((r) => `  ${roundTripLine(r, c)}`)];
}

function roundTripLine(result: RoundTripResult, c: Palette): string {
  const label = `${result.version} ${result.name}`;
  switch (result.outcome) {
    case 'passed':
      return `${c.green('✓')} ${label}  ${c.dim('down.sql restores it')}`;
    case 'failed':
      return `${c.red('✗')} ${label}  ${c.red('failed')}`;
    case 'skipped':
      return `${c.yellow('-')} ${label}  ${c.dim(result.reason === 'empty-down' ? 'skipped: irreversible (empty down.sql)' : 'skipped: no down.sql')}`;
    case 'not-checked':
      return `${c.dim('·')} ${label}  ${c.dim('not checked')}`;
  }
}

/**
 * What the replay could not check, one line per migration that could not be replayed:
 * `003, 004 not replayed: they depend on 002, which could not be replayed.`
 */
export function notReplayedLines(notReplayed: readonly NotReplayed[]): string[] {
  const groups = new Map<string, string[]>();
  for (const m of notReplayed) {
    const key = m.after.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), m.version]);
  }
  return [...groups].map(([after, versions]) => {
    const they = versions.length === 1 ? 'it depends' : 'they depend';
    return `${summarize(versions)} not replayed: ${they} on ${after}, which could not be replayed.`;
  });
}
