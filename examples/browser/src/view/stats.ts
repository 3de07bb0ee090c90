import type { DatabaseStats } from '@strata/core';
import { formatDuration, h } from './dom.js';

/**
 * The statistics panel: health, size, schema objects, migrations, and each table with its row count.
 *
 * @example
 * ```ts
 * panel.replaceChildren(statsView(await db.stats()));
 * ```
 */
export function statsView(stats: DatabaseStats): HTMLElement {
  const { health, migrations } = stats;
  const tables = stats.tables.filter((table) => !table.history);
  const history = stats.tables.find((table) => table.history);
  return h(
    'div',
    { class: 'stats' },
    h(
      'p',
      { class: `health health-${health.status}`, 'data-health': health.status },
      h('span', { class: 'badge' }, health.status),
      health.reasons.length === 0 ? ' every check passed' : ` ${health.reasons.join('; ')}`,
    ),
    h(
      'dl',
      {},
      ...fact(
        'Size',
        `${formatBytes(stats.sizeBytes)} (${stats.pageCount} pages of ${stats.pageSize} bytes, ${stats.freelistCount} free)`,
      ),
      ...fact('Schema', `${tables.length} tables, ${stats.indexes} indexes, ${stats.triggers} triggers, ${stats.views} views`),
      ...fact(
        'Migrations',
        `${migrations.applied} applied, ${migrations.pending} pending, ${formatDuration(migrations.totalDurationMs)} in total`,
      ),
      ...fact('History', history === undefined ? 'no history table yet' : `${history.name}: ${history.rows ?? '?'} rows`),
    ),
    h(
      'table',
      { class: 'tables' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Table'), h('th', { class: 'number' }, 'Rows'))),
      h(
        'tbody',
        {},
        ...tables.map((table) =>
          h(
            'tr',
            { 'data-table': table.name },
            h('td', {}, table.name),
            h('td', { class: 'number' }, table.rows === null ? '?' : String(table.rows)),
          ),
        ),
      ),
    ),
  );
}

function fact(term: string, description: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, description)];
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}
