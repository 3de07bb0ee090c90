/** How many items a message lists before it counts the rest. */
const SHOWN = 5;

/**
 * A list for a message, comma-separated, with a long one cut short: the first few, then how many more there are.
 *
 * @example
 * ```ts
 * summarize(['001', '002']); // '001, 002'
 * summarize(Array.from({ length: 42 }, (_, i) => String(i + 1).padStart(3, '0'))); // '001, 002, 003, 004, 005 and 37 more'
 * ```
 */
export function summarize(items: readonly string[], shown = SHOWN): string {
  if (items.length <= shown + 1) return items.join(', ');
  return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
}
