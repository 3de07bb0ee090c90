/**
 * `name` as a quoted SQL identifier, safe whatever it holds: in double quotes, each double quote in it doubled.
 *
 * @example
 * ```ts
 * quoteIdentifier('order "items"'); // '"order ""items"""'
 * ```
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
