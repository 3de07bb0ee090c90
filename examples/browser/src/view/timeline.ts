import type { PageState, PlannedMigration } from '../page-state.js';
import { formatDuration, h, svg } from './dom.js';

const WIDTH = 760;
const ROW = 56;
const TOP = 24;
const RAIL = 130; // x of the line the migrations sit on; dependency arcs curve to its left
const BARS = 480; // x where the duration bars start
const BAR_WIDTH = 200;

interface Entry {
  readonly version: string;
  readonly name: string;
  readonly appliedAt?: string;
  readonly durationMs?: number;
  readonly dependencies: readonly string[];
}

/**
 * The timeline: applied migrations top to bottom in the order they were applied, then the pending ones; an arc from
 * each dependency to the migration that needs it, and a bar for how long each took.
 *
 * @example
 * ```ts
 * panel.replaceChildren(timelineView(state.status, state.plan));
 * ```
 */
export function timelineView(status: NonNullable<PageState['status']>, plan: readonly PlannedMigration[]): Element {
  const dependenciesOf = new Map(plan.map((m) => [m.version, m.dependencies]));
  const entries: Entry[] = [
    ...status.applied.map((m) => ({ ...m, dependencies: dependenciesOf.get(m.version) ?? [] })),
    ...status.pending.map((m) => ({ ...m, dependencies: dependenciesOf.get(m.version) ?? [] })),
  ];
  if (entries.length === 0) return h('p', { class: 'empty' }, 'No migrations.');
  const row = new Map(entries.map((entry, index) => [entry.version, index]));
  const y = (index: number) => TOP + index * ROW;
  const longest = Math.max(1, ...entries.map((entry) => entry.durationMs ?? 0));

  const arcs = entries.flatMap((entry, index) =>
    entry.dependencies.flatMap((dependency) => {
      const from = row.get(dependency);
      if (from === undefined) return [];
      const bend = 28 + 16 * Math.abs(index - from);
      const d = `M ${RAIL - 8} ${y(from)} C ${RAIL - bend} ${y(from)}, ${RAIL - bend} ${y(index)}, ${RAIL - 10} ${y(index)}`;
      return [
        svg(
          'path',
          { d, class: 'arc', 'marker-end': 'url(#arrow)' },
          svg('title', {}, `${entry.version} depends on ${dependency}`),
        ),
      ];
    }),
  );

  const rows = entries.map((entry, index) => {
    const top = y(index);
    const applied = entry.appliedAt !== undefined;
    const when = applied ? `applied ${entry.appliedAt} UTC` : 'pending';
    const needs = entry.dependencies.length > 0 ? ` · depends on ${entry.dependencies.join(', ')}` : '';
    const width = Math.max(2, ((entry.durationMs ?? 0) / longest) * BAR_WIDTH);
    return svg(
      'g',
      { class: applied ? 'entry applied' : 'entry pending', 'data-version': entry.version },
      svg('circle', { cx: RAIL, cy: top, r: 7 }),
      svg('text', { x: RAIL + 20, y: top - 3, class: 'label' }, `${entry.version} ${entry.name}`),
      svg('text', { x: RAIL + 20, y: top + 15, class: 'detail' }, `${when}${needs}`),
      applied && svg('rect', { x: BARS, y: top - 7, width: width.toFixed(1), height: 14, rx: 3, class: 'bar' }),
      applied && svg('text', { x: BARS + width + 8, y: top + 4, class: 'detail' }, formatDuration(entry.durationMs ?? 0)),
    );
  });

  const height = TOP + (entries.length - 1) * ROW + TOP;
  return svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: 'img', 'aria-label': 'Timeline of the migrations' },
    svg(
      'defs',
      {},
      svg(
        'marker',
        { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }),
      ),
    ),
    svg('line', { x1: RAIL, y1: TOP, x2: RAIL, y2: y(entries.length - 1), class: 'rail' }),
    ...arcs,
    ...rows,
  );
}
