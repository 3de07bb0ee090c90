import type { PageState } from '../page-state.js';

/**
 * The status in the format of `migrate status`, the same lines the CLI prints.
 *
 * @example
 * ```ts
 * pre.textContent = statusLines(status).join('\n');
 * ```
 */
export function statusLines(status: NonNullable<PageState['status']>): string[] {
  const lines = ['Migration Status:', '================', '', 'Applied migrations:'];
  for (const m of status.applied) lines.push(`  ✓ ${m.version} - ${m.name} (applied: ${m.appliedAt})`);
  if (status.applied.length === 0) lines.push('  (none)');
  lines.push('', 'Pending migrations:');
  for (const m of status.pending) lines.push(`  ○ ${m.version} - ${m.name}`);
  if (status.pending.length === 0) lines.push('  (none)');
  if (status.problems.length > 0) {
    lines.push('', 'Problems:');
    for (const p of status.problems) lines.push(`  ✗ ${p.code}: ${p.message}`);
  }
  return lines;
}
