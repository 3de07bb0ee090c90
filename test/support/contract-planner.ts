import { join } from 'node:path';
import { type Driver, MigrationManager } from '@strata/core';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, schemaOf } from './fixtures.js';

/** A random dependency graph over versions 001..N: each version's dependencies, all on versions before it in `run`. */
export interface RandomGraph {
  /** Versions in a random order that every dependency respects (a topological order, not the planner's). */
  readonly run: readonly string[];
  /** Version → the versions it depends on. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** Version → whether its migration also creates a view and an index over the tables it depends on. */
  readonly extras: ReadonlyMap<string, boolean>;
}

/** `7` → `'007'`. */
export const versionOf = (n: number): string => String(n).padStart(3, '0');

/**
 * Random DAGs of 1..`maxSize` migrations. Versions are numbered 001..N but depend on each other in a random order,
 * so a dependency often has a higher number than its dependent, which is what makes ordering interesting.
 */
export function randomGraph(maxSize = 30): fc.Arbitrary<RandomGraph> {
  return fc.integer({ min: 1, max: maxSize }).chain((size) => {
    const versions = Array.from({ length: size }, (_, i) => versionOf(i + 1));
    return fc
      .tuple(
        fc.shuffledSubarray(versions, { minLength: size, maxLength: size }),
        fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: size, maxLength: size }),
        fc.array(fc.boolean(), { minLength: size, maxLength: size }),
      )
      .map(([run, picks, extras]) => {
        const dependencies = new Map<string, readonly string[]>();
        run.forEach((version, position) => {
          const chosen = position === 0 ? [] : (picks[position] ?? []).map((pick) => run[pick % position] as string);
          dependencies.set(version, [...new Set(chosen)].sort());
        });
        return { run, dependencies, extras: new Map(run.map((version, i) => [version, extras[i] ?? false])) };
      });
  });
}

/**
 * The migrations folder of a graph, as the file map a loader gives: per version, a table with a reference to each
 * dependency's table, and with `extras` a view joining them and an index on a dependency's table; each down.sql
 * undoes exactly its up.sql. Keys are written in the order of `keyOrder` when given.
 */
export function filesOf(graph: RandomGraph, keyOrder?: readonly string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const version of [...graph.run].sort()) {
    const folder = `${version}_t${version}`;
    const deps = graph.dependencies.get(version) ?? [];
    const columns = deps.map((d) => `, t${d}_id INTEGER REFERENCES t${d} (id)`).join('');
    const up = [`CREATE TABLE t${version} (id INTEGER PRIMARY KEY${columns});`];
    const down = [`DROP TABLE t${version};`];
    const [first] = deps;
    if (graph.extras.get(version) === true && first !== undefined) {
      up.push(
        `CREATE VIEW v${version} AS SELECT t${version}.id AS id, t${first}.id AS ref FROM t${version} JOIN t${first} ON t${version}.t${first}_id = t${first}.id;`,
        `CREATE INDEX i${version}_on_${first} ON t${first} (id);`,
      );
      down.unshift(`DROP VIEW v${version};`, `DROP INDEX i${version}_on_${first};`);
    }
    files[`${folder}/up.sql`] = `${up.join('\n')}\n`;
    files[`${folder}/down.sql`] = `${down.join('\n')}\n`;
    if (deps.length > 0) files[`${folder}/meta.yaml`] = `dependencies: [${deps.map((d) => `"${d}"`).join(', ')}]\n`;
  }
  if (keyOrder === undefined) return files;
  return Object.fromEntries(keyOrder.map((key) => [key, files[key] ?? '']));
}

/**
 * Whole runs of random migration graphs against a real driver: migrating everything and rolling everything back
 * leaves exactly the empty history table, and migrating twice changes nothing the second time. A driver's test
 * file calls this with a way to open it.
 */
export function describePlannerContract(name: string, open: (path: string) => Promise<Driver>): void {
  describe(`planner contract: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    beforeEach(() => {
      temp = makeTempDir();
    });
    afterEach(() => temp.remove());

    it('migrates a random graph, migrates again as a no-op, and rolls everything back to the empty history table', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(randomGraph(12), fc.boolean(), async (graph, byRoots) => {
          run += 1;
          const driver = await open(join(temp.path, `run-${run}.db`));
          try {
            const manager = new MigrationManager({ driver, migrations: filesOf(graph) });
            const order = manager.migrations();
            // Without cascade, one at a time: the schema before each, to compare with after its rollback.
            const before: string[][] = [];
            if (byRoots) {
              const first = await manager.migrate();
              expect(first.steps.map((s) => s.status)).toEqual(graph.run.map(() => 'applied'));
            } else {
              for (const m of order) {
                before.push(await schemaOf(driver));
                const step = await manager.migrate({ to: m.version });
                expect(step.steps.map((s) => [s.version, s.status])).toEqual([[m.version, 'applied']]);
              }
            }
            const migrated = await schemaOf(driver);

            const second = await manager.migrate();
            expect(second.steps).toEqual([]);
            expect(await schemaOf(driver)).toEqual(migrated);

            if (byRoots) {
              // Each root with cascade takes everything that depends on it along.
              for (const version of [...graph.run].sort()) {
                if ((graph.dependencies.get(version) ?? []).length > 0) continue;
                const applied = new Set((await manager.status()).applied.map((row) => row.version));
                if (applied.has(version)) await manager.rollback(version, { cascade: true });
              }
            } else {
              // Newest first never finds a dependent still applied, so no cascade is needed; each rollback restores the
              // exact schema from before its migration (down.sql undoes what up.sql made, indexes and views included).
              for (const [i, m] of [...order.entries()].reverse()) {
                await manager.rollback(m.version);
                const expected = before[i] ?? [];
                // The history table stays once created; before the first migration it did not exist yet.
                expect((await schemaOf(driver)).filter((line) => i > 0 || !/schema_migrations/.test(line))).toEqual(expected);
              }
            }
            const left = await driver.query<{ type: string; name: string }>(
              'SELECT type, name FROM sqlite_master ORDER BY type, name',
            );
            expect(left).toEqual([
              { type: 'index', name: 'sqlite_autoindex_schema_migrations_1' },
              { type: 'table', name: 'schema_migrations' },
            ]);
            expect((await manager.status()).applied).toEqual([]);
          } finally {
            await driver.close();
          }
        }),
        { numRuns: 25 },
      );
    });
  });
}
