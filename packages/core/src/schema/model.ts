/**
 * A column as SQLite reports it (`PRAGMA table_xinfo`).
 *
 * @example
 * ```ts
 * const email: ColumnModel = { name: 'email', type: 'TEXT', notNull: true, default: null, primaryKey: 0, hidden: 0 };
 * ```
 */
export interface ColumnModel {
  readonly name: string;
  /** The declared type as written, upper-cased; `''` for none. */
  readonly type: string;
  readonly notNull: boolean;
  /** The default's SQL text, normalised (see {@link canonicalSql}); null for none. */
  readonly default: string | null;
  /** 1-based position in the primary key; 0 when not part of it. */
  readonly primaryKey: number;
  /** 0 a normal column, 1 hidden (of a virtual table), 2 generated VIRTUAL, 3 generated STORED. */
  readonly hidden: number;
}

/**
 * A foreign key of a table (`PRAGMA foreign_key_list`), one entry for all its columns.
 *
 * @example
 * ```ts
 * const fk: ForeignKeyModel = { columns: ['user_id'], table: 'users', to: ['id'], onUpdate: 'NO ACTION', onDelete: 'CASCADE', match: 'NONE' };
 * ```
 */
export interface ForeignKeyModel {
  readonly columns: readonly string[];
  readonly table: string;
  /** The parent's columns; empty when the key names the parent's primary key implicitly. */
  readonly to: readonly (string | null)[];
  readonly onUpdate: string;
  readonly onDelete: string;
  readonly match: string;
}

/**
 * A table: an ordinary one with its columns and keys, or a virtual one with its module and arguments.
 *
 * @example
 * ```ts
 * const notes: TableModel = { name: 'notes', kind: 'table', columns: [], strict: true, withoutRowid: false, foreignKeys: [], sql: null };
 * ```
 */
export interface TableModel {
  readonly name: string;
  readonly kind: 'table' | 'virtual';
  readonly columns: readonly ColumnModel[];
  readonly strict: boolean;
  readonly withoutRowid: boolean;
  readonly foreignKeys: readonly ForeignKeyModel[];
  /** For a virtual table, its normalised `CREATE VIRTUAL TABLE` (module and arguments); null for a table. */
  readonly sql: string | null;
  /**
   * The `CREATE TABLE` statement as SQLite keeps it (trimmed, spelling untouched): the one place its CHECK
   * constraints, collations and column order are written, which a generated migration copies. {@link readSchema}
   * always sets it; a model written by hand may leave it out.
   */
  readonly create?: string;
}

/**
 * An index made by `CREATE INDEX` (those SQLite makes for UNIQUE and PRIMARY KEY constraints belong to their table).
 *
 * @example
 * ```ts
 * const index: IndexModel = { name: 'idx_users_email', table: 'users', unique: true, columns: ['email'], where: null };
 * ```
 */
export interface IndexModel {
  readonly name: string;
  readonly table: string;
  readonly unique: boolean;
  /** Each key: a column name, or the normalised text of an expression key with its collation and order. */
  readonly columns: readonly string[];
  /** The normalised WHERE of a partial index; null for a full one. */
  readonly where: string | null;
  /** The `CREATE INDEX` statement as SQLite keeps it (trimmed, spelling untouched), which a generated migration copies. {@link readSchema} always sets it. */
  readonly create?: string;
}

/**
 * A view or a trigger: compared by its normalised SQL, since SQLite keeps no other structure for them.
 *
 * @example
 * ```ts
 * const view: StatementObjectModel = { name: 'active_users', table: 'active_users', sql: 'create view active_users as select …' };
 * ```
 */
export interface StatementObjectModel {
  readonly name: string;
  /** The table a trigger is on; a view's own name. */
  readonly table: string;
  readonly sql: string;
  /** The statement as SQLite keeps it (trimmed, spelling untouched), which a generated migration copies. {@link readSchema} always sets it. */
  readonly create?: string;
}

/**
 * The schema of one SQLite database, each list sorted by name: what {@link readSchema} reads and
 * {@link diffSchemas} compares. Plain data: it crosses JSON and `postMessage` unchanged.
 *
 * @example
 * ```ts
 * const schema: SchemaModel = await readSchema(driver);
 * console.log(schema.tables.map((t) => t.name));
 * ```
 */
export interface SchemaModel {
  readonly tables: readonly TableModel[];
  readonly indexes: readonly IndexModel[];
  readonly views: readonly StatementObjectModel[];
  readonly triggers: readonly StatementObjectModel[];
}
