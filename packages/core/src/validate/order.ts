import { compareVersions, type Migration } from '../migration.js';

/** The result of ordering a dependency graph. */
export interface Ordering {
  /** Every migration not on a cycle, dependencies first, ties broken by version number. */
  readonly order: readonly Migration[];
  /**
   * Cycles among the migrations that could not be ordered (at least one when any could not), each as versions where
   * every one depends on the next, starting and ending with the lowest (`001 → 002 → 001`).
   */
  readonly cycles: readonly (readonly string[])[];
}

/**
 * Orders migrations topologically (Kahn's algorithm), always taking the lowest ready version next, so the order is
 * deterministic and equals version order wherever dependencies allow. `dependencies` must already be canonical
 * versions of migrations in the list; unknown ones are ignored here and reported by {@link checkSet}.
 */
export function orderMigrations(migrations: readonly Migration[]): Ordering {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const m of migrations) {
    const deps = new Set(m.meta.dependencies.filter((d) => byVersion.has(d)));
    waitingOn.set(m.version, deps.size);
    for (const d of deps) {
      const list = dependents.get(d) ?? [];
      list.push(m.version);
      dependents.set(d, list);
    }
  }

  const ready = new MinQueue();
  for (const [version, count] of waitingOn) if (count === 0) ready.push(version);
  const order: Migration[] = [];
  for (let version = ready.pop(); version !== undefined; version = ready.pop()) {
    const migration = byVersion.get(version);
    if (migration !== undefined) order.push(migration);
    for (const dependent of dependents.get(version) ?? []) {
      const left = (waitingOn.get(dependent) ?? 0) - 1;
      waitingOn.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }

  const stuck = migrations.filter((m) => (waitingOn.get(m.version) ?? 0) > 0);
  return { order, cycles: findCycles(stuck, byVersion) };
}

/** Finds cycles among migrations that could not be ordered; a cycle reachable only through another is found once that one is fixed. */
function findCycles(stuck: readonly Migration[], byVersion: ReadonlyMap<string, Migration>): string[][] {
  const stuckVersions = new Set(stuck.map((m) => m.version));
  const done = new Set<string>();
  const cycles: string[][] = [];
  for (const start of [...stuck].sort((a, b) => compareVersions(a.version, b.version))) {
    if (done.has(start.version)) continue;
    // Every stuck migration depends, directly or not, on a cycle; walking always to the lowest stuck dependency
    // must revisit a version, and the walk from that first repeat is the cycle.
    const path: string[] = [];
    const seenAt = new Map<string, number>();
    let current: string | undefined = start.version;
    while (current !== undefined && !seenAt.has(current) && !done.has(current)) {
      seenAt.set(current, path.length);
      path.push(current);
      const deps: string[] = (byVersion.get(current)?.meta.dependencies ?? []).filter((d) => stuckVersions.has(d));
      current = deps.sort(compareVersions)[0];
    }
    for (const v of path) done.add(v);
    const loopStart = current === undefined ? undefined : seenAt.get(current);
    if (loopStart !== undefined) {
      const loop = path.slice(loopStart);
      const lowest = loop.indexOf([...loop].sort(compareVersions)[0] as string);
      const rotated = [...loop.slice(lowest), ...loop.slice(0, lowest)];
      cycles.push([...rotated, rotated[0] as string]);
    }
  }
  return cycles;
}

/** A binary heap of versions, lowest first. */
class MinQueue {
  private readonly items: string[] = [];

  push(version: string): void {
    const items = this.items;
    items.push(version);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareVersions(items[parent] as string, version) <= 0) break;
      items[i] = items[parent] as string;
      i = parent;
    }
    items[i] = version;
  }

  pop(): string | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && compareVersions(items[right] as string, items[left] as string) < 0 ? right : left;
      if (compareVersions(items[child] as string, last) >= 0) break;
      items[i] = items[child] as string;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
