/**
 * Whether two copies of a database hold the same bytes; an absent one equals only another absent one.
 *
 * @example
 * ```ts
 * sameBytes(await storage.load(), bytes); // true when the storage already holds them
 * ```
 */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
