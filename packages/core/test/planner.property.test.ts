import { type CheckedSet, checkSet, compareVersions, parseMigrationFiles, planMigrate, planRollback } from '@strata/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filesOf, type RandomGraph, randomGraph } from '../../../test/support/contract-planner.js';

const checked = (files: Record<string, string>): CheckedSet => checkSet(parseMigrationFiles(files));
const versionsOf = (set: CheckedSet | { order: readonly { version: string }[] }) => set.order.map((m) => m.version);

/** Every version `version` depends on, directly or not. */
function ancestors(graph: RandomGraph, version: string): Set<string> {
  const found = new Set<string>();
  const walk = (v: string) => {
    for (const d of graph.dependencies.get(v) ?? []) {
      if (!found.has(d)) {
        found.add(d);
        walk(d);
      }
    }
  };
  walk(version);
  return found;
}

/** A set of versions closed under dependencies: what a database can have applied. */
function closedSubset(graph: RandomGraph, picks: readonly boolean[]): Set<string> {
  const applied = new Set<string>();
  graph.run.forEach((version, i) => {
    if (picks[i % Math.max(picks.length, 1)] === true) {
      applied.add(version);
      for (const a of ancestors(graph, version)) applied.add(a);
    }
  });
  return applied;
}

/** A graph with the file map's keys in a random order, and spelled as different loaders spell them. */
const graphWithShuffledKeys = randomGraph(30).chain((graph) => {
  const keys = Object.keys(filesOf(graph));
  return fc
    .tuple(
      fc.shuffledSubarray(keys, { minLength: keys.length, maxLength: keys.length }),
      fc.constantFrom('', './', '/migrations/', 'db/migrations/'),
    )
    .map(([order, prefix]) => ({ graph, order, prefix }));
});

describe('the planner on random dependency graphs', () => {
  it('orders every migration after all of its dependencies', () => {
    fc.assert(
      fc.property(randomGraph(30), (graph) => {
        const set = checked(filesOf(graph));
        expect(set.problems).toEqual([]);
        const order = versionsOf(set);
        expect([...order].sort()).toEqual([...graph.run].sort());
        const position = new Map(order.map((v, i) => [v, i]));
        for (const [version, deps] of graph.dependencies) {
          for (const d of deps) expect(position.get(d) ?? Number.NaN).toBeLessThan(position.get(version) ?? Number.NaN);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('always takes the lowest version whose dependencies are done, so the order is version order where it can be', () => {
    fc.assert(
      fc.property(randomGraph(30), (graph) => {
        const order = versionsOf(checked(filesOf(graph)));
        const done = new Set<string>();
        for (const version of order) {
          const ready = graph.run.filter((v) => !done.has(v) && (graph.dependencies.get(v) ?? []).every((d) => done.has(d)));
          expect(version).toBe([...ready].sort(compareVersions)[0]);
          done.add(version);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic and does not depend on the order or the spelling of the file list', () => {
    fc.assert(
      fc.property(graphWithShuffledKeys, ({ graph, order, prefix }) => {
        const sorted = checked(filesOf(graph));
        const shuffled = filesOf(graph, order);
        const respelled = Object.fromEntries(Object.entries(shuffled).map(([key, text]) => [`${prefix}${key}`, text]));
        expect(checked(shuffled).order).toEqual(sorted.order);
        expect(checked(respelled).order).toEqual(sorted.order);
        expect(checked(filesOf(graph)).order).toEqual(sorted.order);
      }),
      { numRuns: 200 },
    );
  });

  it('plans up to a version with everything it depends on, and nothing already applied', () => {
    fc.assert(
      fc.property(randomGraph(30), fc.nat(), fc.array(fc.boolean(), { minLength: 1 }), (graph, pick, picks) => {
        const set = checked(filesOf(graph));
        const target = graph.run[pick % graph.run.length] as string;
        const applied = closedSubset(graph, picks);
        const plan = planMigrate(set.order, applied, { to: target }).map((m) => m.version);
        for (const a of ancestors(graph, target)) expect(plan.includes(a) || applied.has(a)).toBe(true);
        expect(plan.includes(target)).toBe(!applied.has(target));
        expect(plan.filter((v) => applied.has(v))).toEqual([]);
        // What the database has after the plan runs is again closed under dependencies.
        const after = new Set([...applied, ...plan]);
        for (const v of after) for (const d of graph.dependencies.get(v) ?? []) expect(after.has(d)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('rolls back with cascade every applied dependent first, and leaves a state closed under dependencies', () => {
    fc.assert(
      fc.property(randomGraph(30), fc.nat(), fc.array(fc.boolean(), { minLength: 1 }), (graph, pick, picks) => {
        const set = checked(filesOf(graph));
        const applied = closedSubset(graph, picks);
        fc.pre(applied.size > 0);
        const target = [...applied].sort()[pick % applied.size] as string;
        const steps = planRollback(set.order, applied, target, { cascade: true }).map((m) => m.version);
        const dependents = [...applied].filter((v) => ancestors(graph, v).has(target));
        expect([...steps].sort()).toEqual([target, ...dependents].sort());
        steps.forEach((version, i) => {
          for (const d of graph.dependencies.get(version) ?? [])
            expect(steps.indexOf(d) === -1 || steps.indexOf(d) > i).toBe(true);
        });
        const after = new Set([...applied].filter((v) => !steps.includes(v)));
        for (const v of after) for (const d of graph.dependencies.get(v) ?? []) expect(after.has(d)).toBe(true);
        if (dependents.length > 0) {
          expect(() => planRollback(set.order, applied, target)).toThrow(expect.objectContaining({ code: 'DEPENDENTS_APPLIED' }));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('reports a cycle made by one more dependency, leaves its migrations out, and still orders the rest', () => {
    const withCycle = randomGraph(30).filter((graph) => [...graph.dependencies.values()].some((deps) => deps.length > 0));
    fc.assert(
      fc.property(withCycle, (graph) => {
        const [dependent, deps] = [...graph.dependencies].find(([, d]) => d.length > 0) ?? ['', []];
        const dependency = deps[0] as string;
        // The dependency now also depends on its dependent: dependency → dependent → dependency.
        const cyclic: RandomGraph = {
          ...graph,
          dependencies: new Map([
            ...graph.dependencies,
            [dependency, [...(graph.dependencies.get(dependency) ?? []), dependent]],
          ]),
        };
        const set = checked(filesOf(cyclic));
        expect(set.problems.map((p) => p.code)).toContain('DEPENDENCY_CYCLE');
        const order = versionsOf(set);
        expect(order).not.toContain(dependent);
        expect(order).not.toContain(dependency);
        const position = new Map(order.map((v, i) => [v, i]));
        for (const version of order) {
          for (const d of cyclic.dependencies.get(version) ?? []) {
            expect(position.get(d) ?? Number.NaN).toBeLessThan(position.get(version) ?? Number.NaN);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
