import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One generated migration, independent of any tool's file layout. Every contender's layout is written from this, so
 * every contender runs the same SQL.
 */
export interface CorpusMigration {
  /** Zero-padded, at least three digits: `001`, …, `10000`. */
  readonly version: string;
  /** snake_case name, e.g. `table_00042`. */
  readonly name: string;
  readonly description: string;
  /** Versions this migration depends on (the previous one, except for the first). */
  readonly dependencies: readonly string[];
  /** The whole up.sql text. */
  readonly up: string;
  /** The whole down.sql text. */
  readonly down: string;
  /** The up and down texts as single statements, each without its trailing `;`, for tools that run one at a time. */
  readonly upStatements: readonly string[];
  readonly downStatements: readonly string[];
}

/** What a corpus leaves in the database when all of it is applied, used to check that every contender did the work. */
export interface CorpusShape {
  /** How many user tables (not counting any tool's bookkeeping) exist after all migrations are applied. */
  readonly tables: number;
  /** Tables whose names start with this prefix are the corpus's own. */
  readonly tablePrefix: string;
  /** Total rows in the corpus tables after all migrations are applied. */
  readonly rows: number;
}

export interface Corpus {
  readonly id: string;
  readonly migrations: readonly CorpusMigration[];
  readonly shape: CorpusShape;
}

const ROWS_PER_TABLE = 10;
const TRIGGER_EVERY = 10;
const DATA_ROWS = 200_000;

function versionOf(index: number, count: number): string {
  return String(index).padStart(Math.max(3, String(count).length), '0');
}

function tableOf(index: number): string {
  return `t_${String(index).padStart(5, '0')}`;
}

/**
 * The schema corpus: `count` migrations, each creating a five-column table with a foreign key to the previous
 * table, an index and ten rows; every tenth also creates a trigger. Each depends on the one before it.
 */
export function schemaCorpus(count: number): Corpus {
  const migrations: CorpusMigration[] = [];
  for (let index = 1; index <= count; index++) {
    const table = tableOf(index);
    const parent = index > 1 ? tableOf(index - 1) : undefined;
    const upStatements = [
      `CREATE TABLE ${table} (\n  id INTEGER PRIMARY KEY,\n  parent_id INTEGER${
        parent === undefined ? '' : ` REFERENCES ${parent} (id)`
      },\n  name TEXT NOT NULL,\n  amount REAL NOT NULL DEFAULT 0,\n  created_at TEXT NOT NULL\n)`,
      `CREATE INDEX ${table}_parent ON ${table} (parent_id)`,
      `INSERT INTO ${table} (id, parent_id, name, amount, created_at) VALUES\n${Array.from(
        { length: ROWS_PER_TABLE },
        (_, row) =>
          `  (${row + 1}, ${parent === undefined ? 'NULL' : row + 1}, 'row ${row + 1} of ${table}', ${(row + 1) * 1.5}, '2026-01-01T00:00:00Z')`,
      ).join(',\n')}`,
    ];
    const downStatements = [`DROP INDEX ${table}_parent`, `DROP TABLE ${table}`];
    if (index % TRIGGER_EVERY === 0) {
      upStatements.push(
        `CREATE TRIGGER ${table}_touch AFTER UPDATE OF amount ON ${table}\nBEGIN\n  UPDATE ${table} SET created_at = '2026-01-02T00:00:00Z' WHERE id = NEW.id;\nEND`,
      );
      downStatements.unshift(`DROP TRIGGER ${table}_touch`);
    }
    const version = versionOf(index, count);
    migrations.push({
      version,
      name: `table_${String(index).padStart(5, '0')}`,
      description: `Creates ${table}${parent === undefined ? '' : `, which refers to ${parent}`}.`,
      dependencies: index > 1 ? [versionOf(index - 1, count)] : [],
      up: sqlText(upStatements),
      down: sqlText(downStatements),
      upStatements,
      downStatements,
    });
  }
  return {
    id: `schema-${count}`,
    migrations,
    shape: { tables: count, tablePrefix: 't_', rows: count * ROWS_PER_TABLE },
  };
}

/** One migration that creates a table and fills it with 200 000 rows from a recursive CTE. */
export function dataCorpus(): Corpus {
  const upStatements = [
    'CREATE TABLE t_events (\n  id INTEGER PRIMARY KEY,\n  kind TEXT NOT NULL,\n  amount REAL NOT NULL,\n  note TEXT NOT NULL,\n  created_at TEXT NOT NULL\n)',
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${DATA_ROWS})\nINSERT INTO t_events (id, kind, amount, note, created_at)\nSELECT i, 'kind_' || (i % 17), i * 0.25, printf('event %08d', i), '2026-01-01T00:00:00Z' FROM n`,
  ];
  const downStatements = ['DROP TABLE t_events'];
  return {
    id: 'data-200k',
    migrations: [
      {
        version: '001',
        name: 'events_200k',
        description: 'Creates t_events and fills it with 200 000 rows.',
        dependencies: [],
        up: sqlText(upStatements),
        down: sqlText(downStatements),
        upStatements,
        downStatements,
      },
    ],
    shape: { tables: 1, tablePrefix: 't_', rows: DATA_ROWS },
  };
}

function sqlText(statements: readonly string[]): string {
  return `${statements.map((statement) => `${statement};`).join('\n\n')}\n`;
}

/** Writes the Strata layout: `NNN_name/up.sql`, `down.sql` and `meta.yaml`. */
export async function writeStrataLayout(migrations: readonly CorpusMigration[], dir: string): Promise<void> {
  for (const migration of migrations) {
    const folder = join(dir, `${migration.version}_${migration.name}`);
    await mkdir(folder, { recursive: true });
    const dependencies =
      migration.dependencies.length === 0
        ? 'dependencies: []\n'
        : `dependencies:\n${migration.dependencies.map((version) => `  - "${version}"\n`).join('')}`;
    await writeFile(join(folder, 'up.sql'), migration.up);
    await writeFile(join(folder, 'down.sql'), migration.down);
    await writeFile(join(folder, 'meta.yaml'), `description: ${JSON.stringify(migration.description)}\n${dependencies}`);
  }
}
