// Three rqlite nodes: clients migrating at once through different nodes, and the leader killed in the middle of a run.
import { MigrationManager, type RunEvent } from '@strata/core';
import { createRqliteDriver } from '@strata/driver-rqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, type RqliteNode, startCluster } from './support/cluster.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ size: 3 });
}, 30_000);
afterAll(() => cluster?.stop());

/** `count` migrations, each creating a table `<prefix>_<version>` with one row, the later ones depending on nothing. */
function migrations(prefix: string, count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let n = 1; n <= count; n++) {
    const version = String(n).padStart(3, '0');
    files[`${version}_${prefix}_${version}/up.sql`] =
      `CREATE TABLE ${prefix}_${version} (id INTEGER PRIMARY KEY, note TEXT NOT NULL);\n` +
      `INSERT INTO ${prefix}_${version} (note) VALUES ('from ${version}');\n` +
      `CREATE INDEX ${prefix}_${version}_note ON ${prefix}_${version} (note);\n`;
  }
  return files;
}

/** What one node holds itself, read without asking the leader (`level=none`). */
async function local(node: RqliteNode, sql: string): Promise<unknown[][]> {
  const response = await fetch(`${node.url}/db/query?level=none`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify([sql]),
    signal: AbortSignal.timeout(2000),
  });
  const { results } = (await response.json()) as { results: { values?: unknown[][]; error?: string }[] };
  const [result] = results;
  if (result?.error !== undefined) throw new Error(`${node.id}: ${result.error}`);
  return result?.values ?? [];
}

/** The history versions and the tables named `<prefix>_…` on one node, once it has caught up to `expected` rows. */
async function stateOf(node: RqliteNode, table: string, prefix: string, expected?: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const versions = (await local(node, `SELECT version FROM ${table} ORDER BY version`).catch(() => [])).map(([v]) => v);
    const tables = (
      await local(
        node,
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '${prefix}\\_%' ESCAPE '\\' ORDER BY name`,
      )
    ).map(([name]) => name);
    if (expected === undefined || versions.length === expected || Date.now() > deadline) return { versions, tables };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const tableOf = (prefix: string, version: unknown) => `${prefix}_${String(version)}`;

describe('rqlite cluster', () => {
  it('applies each migration once when clients migrate at once through different nodes', async () => {
    const files = migrations('race', 25);
    const runs = await Promise.all(
      cluster.nodes.map(async (node) => {
        const driver = createRqliteDriver({ url: node.url });
        try {
          return await new MigrationManager({ driver, migrations: files, table: 'history_race' }).migrate();
        } finally {
          await driver.close();
        }
      }),
    );
    // Every migration was applied by exactly one client; the others counted it as applied.
    const appliedBy = runs.flatMap((report) => report.steps.filter((s) => s.status === 'applied').map((s) => s.version));
    expect(appliedBy.sort()).toEqual(Array.from({ length: 25 }, (_, n) => String(n + 1).padStart(3, '0')));
    for (const node of cluster.nodes) {
      const { versions, tables } = await stateOf(node, 'history_race', 'race', 25);
      expect(versions, node.id).toEqual(appliedBy);
      expect(tables, node.id).toEqual(versions.map((v) => tableOf('race', v)));
      expect(await local(node, 'SELECT count(*) FROM race_001'), node.id).toEqual([[1]]);
    }
  }, 30_000);

  it('applies each migration once or not at all when the leader is killed mid-run, and a rerun on the others finishes', async () => {
    const files = migrations('kill', 120);
    const leader = await cluster.leader();
    const others = cluster.nodes.filter((node) => node !== leader);
    // The leader first: the run talks to it until it dies, then to the others in turn.
    const url = [leader, ...others].map((node) => node.url).join(',');
    const driver = createRqliteDriver({ url, busyTimeoutMs: 15_000 });
    let applied = 0;
    let killed: Promise<void> | undefined;
    const onEvent = (event: RunEvent) => {
      if (event.type === 'finish' && event.step.status === 'applied' && ++applied === 20)
        killed = cluster.kill(leader, 'SIGKILL');
    };
    const first = await new MigrationManager({ driver, migrations: files, table: 'history_kill', onEvent }).migrate().then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
    await killed;
    expect(leader.process.signalCode).toBe('SIGKILL');
    await driver.close();

    // Whatever the run said, the survivors agree, and every recorded migration's table is there, and only those.
    const survivors = await Promise.all(others.map((node) => stateOf(node, 'history_kill', 'kill')));
    expect(survivors[1]).toEqual(survivors[0]);
    const [{ versions, tables }] = survivors as [{ versions: unknown[]; tables: unknown[] }];
    expect(versions.length).toBeGreaterThanOrEqual(20);
    expect(tables).toEqual(versions.map((v) => tableOf('kill', v)));
    if ('report' in first) expect(versions.length).toBe(120);

    const rerun = createRqliteDriver({ url: others.map((node) => node.url).join(','), busyTimeoutMs: 15_000 });
    const second = await new MigrationManager({ driver: rerun, migrations: files, table: 'history_kill' }).migrate();
    await rerun.close();
    expect(second.steps.filter((s) => s.status === 'applied').length).toBe(120 - versions.length);
    for (const node of others) {
      const after = await stateOf(node, 'history_kill', 'kill', 120);
      expect(after.versions, node.id).toEqual(Array.from({ length: 120 }, (_, n) => String(n + 1).padStart(3, '0')));
      expect(after.tables, node.id).toEqual(after.versions.map((v) => tableOf('kill', v)));
    }
  }, 45_000);
});
