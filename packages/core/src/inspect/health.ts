import { summarize } from '../summary.js';
import type { DatabaseStats } from './stats.js';
import type { StatusReport } from './status.js';

/** One thing the health check noticed, and how bad it is. */
export type Finding = readonly ['error' | 'warning', string];

// Below a mebibyte of free pages, VACUUM (which rewrites the whole file) is not worth suggesting.
const FREE_SHARE = 0.25;
const FREE_BYTES = 1024 * 1024;

/** The findings of the health rules: damage, foreign-key violations, history problems, pending work, free space. */
export function judge(stats: Omit<DatabaseStats, 'health'>, status: StatusReport): Finding[] {
  const { checks, pageSize, pageCount: pages, freelistCount: free } = stats;
  const findings: Finding[] = [];
  const [first, ...more] = checks.quickCheck;
  if (first !== 'ok' || more.length > 0) {
    findings.push([
      'error',
      `quick_check found damage: ${checks.quickCheck.slice(0, 3).join('; ')}${more.length > 2 ? '; …' : ''}`,
    ]);
  }
  const [fk] = checks.foreignKeyViolations;
  if (fk !== undefined) {
    const count = `${checks.foreignKeyViolations.length}${checks.foreignKeyViolationsTruncated ? '+' : ''}`;
    const row = fk.rowid === null ? 'a row' : `row ${fk.rowid}`;
    findings.push([
      'error',
      `${count} foreign-key violation(s), the first in ${fk.table} ${row}, whose ${fk.parent} row is missing`,
    ]);
  }
  for (const problem of status.problems) findings.push(['error', `${problem.code}: ${problem.message}`]);
  if (status.pending.length > 0) {
    const versions = status.pending.map((m) => m.version);
    findings.push(['warning', `${versions.length} migration(s) pending (${summarize(versions)}); run migrate`]);
  }
  if (free > pages * FREE_SHARE && free * pageSize >= FREE_BYTES) {
    const share = Math.round((free / pages) * 100);
    const mib = ((free * pageSize) / FREE_BYTES).toFixed(1);
    findings.push([
      'warning',
      `${free} of ${pages} pages (${share}%) are free; VACUUM would shrink the file by about ${mib} MiB`,
    ]);
  }
  return findings;
}

/** One overall verdict from every finding: the worst level, with the errors listed before the warnings. */
export function verdict(findings: readonly Finding[]): DatabaseStats['health'] {
  const level = findings.some(([l]) => l === 'error') ? 'error' : findings.length > 0 ? 'warning' : 'ok';
  const ordered = [...findings.filter(([l]) => l === 'error'), ...findings.filter(([l]) => l === 'warning')];
  return { status: level, reasons: ordered.map(([, text]) => text) };
}
