/** A migration kept as loose files: `<stem>.up.sql`, `<stem>.down.sql`, or one `<stem>.sql` holding its up half. */
const LOOSE_SQL = /^(.+?)(?:\.(up|down))?\.sql$/i;

/**
 * Where a migration file written as a loose file belongs in a Strata folder: `<stem>.up.sql` and `<stem>.sql` in
 * `<stem>/up.sql`, `<stem>.down.sql` in `<stem>/down.sql`. Undefined when the name does not end in `.sql`.
 *
 * @example
 * ```ts
 * looseFileTarget('000001_create_users.down.sql'); // { folder: '000001_create_users', file: 'down.sql', named: true }
 * ```
 */
export function looseFileTarget(name: string): LooseFileTarget | undefined {
  const match = LOOSE_SQL.exec(name);
  if (match === null) return undefined;
  const half = match[2]?.toLowerCase();
  return { folder: match[1] ?? '', file: half === 'down' ? 'down.sql' : 'up.sql', named: half !== undefined };
}

/** Where a loose migration file belongs: see {@link looseFileTarget}. */
export interface LooseFileTarget {
  readonly folder: string;
  readonly file: 'up.sql' | 'down.sql';
  /** Whether the name says which half it is (`.up.sql`, `.down.sql`), rather than ending in a bare `.sql`. */
  readonly named: boolean;
}
