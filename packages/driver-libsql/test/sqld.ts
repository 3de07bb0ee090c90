import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../../../test/support/ports.js';
import { sqldBinary } from '../scripts/sqld-path.mjs';

/** A `sqld` server this process started on 127.0.0.1, for tests. */
export interface Sqld {
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** The inter-node (gRPC) address, when started with one: what an embedded replica syncs from. */
  readonly grpcUrl: string | undefined;
  /** The folder that holds its database. */
  readonly dbPath: string;
  /** Stops it (SIGTERM, then SIGKILL after a few seconds) and removes its folder unless it was given one. */
  stop(): Promise<void>;
}

const READY_MS = 5000;
const STOP_MS = 3000;

/**
 * Starts `sqld` with its database in `dbPath` (a new temporary folder by default), and resolves once `/health`
 * answers; rejects (and kills it) when it exits first or is not ready within a few seconds.
 */
export async function startSqld(options: { dbPath?: string; grpc?: boolean } = {}): Promise<Sqld> {
  const owned = options.dbPath === undefined;
  const dbPath = options.dbPath ?? join(mkdtempSync(join(tmpdir(), 'strata-sqld-')), 'db');
  const port = await freePort();
  const grpcPort = options.grpc === true ? await freePort() : undefined;
  const args = ['--no-welcome', '--db-path', dbPath, '--http-listen-addr', `127.0.0.1:${port}`];
  if (grpcPort !== undefined) args.push('--grpc-listen-addr', `127.0.0.1:${grpcPort}`);
  // Its log goes to a file, not a pipe: a test that blocks its event loop (spawnSync) would leave a pipe unread and
  // the server stalled on a full one.
  mkdirSync(dirname(dbPath), { recursive: true });
  const logFile = `${dbPath}.log`;
  const log = openSync(logFile, 'a');
  const child = spawn(sqldBinary(), args, { stdio: ['ignore', 'ignore', log] });
  closeSync(log);
  const stderr = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    await stopChild(child, exited);
    if (owned) rmSync(dirname(dbPath), { recursive: true, force: true });
  };
  const httpUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(httpUrl, exited, stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    grpcUrl: grpcPort === undefined ? undefined : `http://127.0.0.1:${grpcPort}`,
    dbPath,
    stop,
  };
}

async function waitForHealth(url: string, exited: Promise<void>, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_MS;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (Date.now() < deadline) {
    if (gone) throw new Error(`sqld exited before it was ready:\n${stderr()}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  throw new Error(`sqld did not answer ${url}/health within ${READY_MS} ms:\n${stderr()}`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_MS).unref());
  if (!(await Promise.race([exited.then(() => true), timer]))) {
    child.kill('SIGKILL');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, STOP_MS).unref())]);
  }
}

/**
 * Opens a database "at a path" on a server of its own: the first `open(path)` of each path takes a `sqld` with an
 * empty database, and later ones reach the same server, so every new path is a new empty database and the same path
 * the same database, as with files. The servers keep their databases in folders of their own (a test removes its
 * folder while the server still writes), and one spare server is kept started, so a test does not wait for one.
 * Servers whose path's folder the test removed are stopped as new ones are taken; `stopAll` stops the rest.
 */
export function sqldPerPath(): { urlOf(path: string, scheme: 'http' | 'ws'): Promise<string>; stopAll(): Promise<void> } {
  const servers = new Map<string, Promise<Sqld>>();
  let spare: Promise<Sqld> | undefined;
  const stopGone = async () => {
    for (const [path, server] of servers) {
      if (existsSync(dirname(path))) continue;
      servers.delete(path);
      await (await server).stop();
    }
  };
  const take = (): Promise<Sqld> => {
    const taken = spare ?? startSqld();
    spare = startSqld();
    // A spare that fails to start is reported by the test that takes it.
    spare.catch(() => {});
    return taken;
  };
  return {
    async urlOf(path, scheme) {
      let server = servers.get(path);
      if (server === undefined) {
        await stopGone();
        server = take();
        servers.set(path, server);
      }
      const started = await server;
      return scheme === 'http' ? started.httpUrl : started.wsUrl;
    },
    async stopAll() {
      const all = [...servers.values(), ...(spare === undefined ? [] : [spare])];
      servers.clear();
      spare = undefined;
      await Promise.all(all.map(async (server) => (await server.catch(() => undefined))?.stop()));
    },
  };
}

export { freePort };
