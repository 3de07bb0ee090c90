type Child = Node | string | null | undefined | false;

/**
 * Creates an HTML element with attributes and children; strings become text nodes, so nothing is parsed as HTML.
 *
 * @example
 * ```ts
 * document.body.append(h('p', { class: 'note' }, 'Saved.'));
 * ```
 */
export function h(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
  return element;
}

/**
 * Creates an SVG element with attributes and children.
 *
 * @example
 * ```ts
 * svg('circle', { cx: '10', cy: '10', r: '4' });
 * ```
 */
export function svg(tag: string, attributes: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
  return element;
}

/**
 * A duration as people read it: `<1 ms`, `12 ms`, `1.4 s`.
 *
 * @example
 * ```ts
 * formatDuration(1400); // '1.4 s'
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1) return '<1 ms';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
