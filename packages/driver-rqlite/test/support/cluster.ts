import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../../test/support/ports.js';
import { rqlitedPath } from '../../scripts/rqlited-path.mjs';

/** One rqlited process of a {@link Cluster}. */
export interface RqliteNode {
  readonly id: string;
  /** The node's HTTP API, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly raftAddress: string;
  readonly process: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** What it printed so far, for messages of failed waits. */
  log(): string;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** How many nodes; the first bootstraps, the others join it. Default 1. */
  readonly size?: number;
  /** Extra rqlited flags for every node, such as `['-fk']`. */
  readonly flags?: readonly string[];
  /** The `Authorization` header `/readyz` needs, for nodes started with `-auth`. */
  readonly authorization?: string;
  /** How long to wait for every node to be ready. Default 20 s. */
  readonly readyTimeoutMs?: number;
}

/** rqlite nodes on 127.0.0.1, in a temporary folder, each with its own data folder. */
export interface Cluster {
  readonly nodes: readonly RqliteNode[];
  /** Every node's URL, comma-separated, as `open()` takes them. */
  readonly url: string;
  /** The node the others report as leader. */
  leader(): Promise<RqliteNode>;
  /** Sends `signal` to one node and waits (bounded) for it to exit. */
  kill(node: RqliteNode, signal?: NodeJS.Signals): Promise<void>;
  /** Kills every node still running and removes the data folders. Safe to call twice. */
  stop(): Promise<void>;
}

// Every node started by this process, so that none outlives it whatever happens to the test that started it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `size` rqlite nodes: the first bootstraps a cluster, the others join it by its Raft address (rqlite 8 joins
 * through Raft, not HTTP), and it resolves once every node's `/readyz` says it is ready with a leader.
 *
 * @example
 * ```ts
 * const cluster = await startCluster({ size: 3 });
 * afterAll(() => cluster.stop());
 * ```
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const size = options.size ?? 1;
  const timeoutMs = options.readyTimeoutMs ?? 20_000;
  const root = mkdtempSync(join(tmpdir(), 'strata-rqlite-'));
  const nodes: RqliteNode[] = [];
  const cluster: Cluster = {
    nodes,
    get url() {
      return nodes.map((node) => node.url).join(',');
    },
    async leader() {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const node of nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null)) {
          const found = await leaderSeenBy(node).catch(() => undefined);
          const leader = nodes.find((n) => n.url === found);
          if (leader !== undefined) return leader;
        }
        if (Date.now() > deadline) throw new Error(`no leader within ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    async kill(node, signal = 'SIGKILL') {
      node.process.kill(signal);
      await bounded(node.exited, 10_000, `node ${node.id} did not exit after ${signal}`);
    },
    async stop() {
      await Promise.all(
        nodes.map(async (node) => {
          if (node.process.exitCode !== null || node.process.signalCode !== null) return;
          node.process.kill('SIGTERM');
          const stopped = await bounded(node.exited, 3000, '').then(
            () => true,
            () => false,
          );
          if (!stopped) {
            node.process.kill('SIGKILL');
            await bounded(node.exited, 5000, `node ${node.id} did not exit`);
          }
        }),
      );
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    for (let index = 0; index < size; index++) {
      const [httpPort, raftPort] = [await freePort(), await freePort()];
      const first = nodes[0];
      const node = startNode({
        id: `n${index + 1}`,
        httpPort,
        raftPort,
        dir: join(root, `n${index + 1}`),
        flags: [...(options.flags ?? []), ...(first === undefined ? [] : ['-join', first.raftAddress])],
      });
      nodes.push(node);
      // The first node must lead before another can join it.
      if (index === 0) await waitReady(node, timeoutMs, options.authorization);
    }
    await Promise.all(nodes.map((node) => waitReady(node, timeoutMs, options.authorization)));
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

function startNode(spec: { id: string; httpPort: number; raftPort: number; dir: string; flags: readonly string[] }): RqliteNode {
  const httpAddress = `127.0.0.1:${spec.httpPort}`;
  const raftAddress = `127.0.0.1:${spec.raftPort}`;
  const child = spawn(
    rqlitedPath(),
    ['-node-id', spec.id, '-http-addr', httpAddress, '-raft-addr', raftAddress, ...spec.flags, spec.dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  return { id: spec.id, url: `http://${httpAddress}`, raftAddress, process: child, exited, log: () => log };
}

async function waitReady(node: RqliteNode, timeoutMs: number, authorization?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (node.process.exitCode !== null) throw new Error(`node ${node.id} exited before it was ready:\n${node.log()}`);
    const ready = await fetch(`${node.url}/readyz`, {
      signal: AbortSignal.timeout(1000),
      ...(authorization === undefined ? {} : { headers: { Authorization: authorization } }),
    }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`node ${node.id} not ready within ${timeoutMs} ms:\n${node.log()}`);
    await sleep(100);
  }
}

async function leaderSeenBy(node: RqliteNode): Promise<string | undefined> {
  const response = await fetch(`${node.url}/nodes`, { signal: AbortSignal.timeout(1000) });
  const nodes = (await response.json()) as Record<string, { api_addr: string; leader: boolean }>;
  return Object.values(nodes).find((n) => n.leader)?.api_addr;
}

function bounded<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export { freePort };
