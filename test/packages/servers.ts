// Servers the READMEs' examples connect to, started on the addresses the examples name.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { rqlitedPath } from '../../packages/driver-rqlite/scripts/rqlited-path.mjs';

/** A server this process started. */
export interface StartedServer {
  /** Its base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Stops it: SIGTERM, then SIGKILL when it has not exited within a few seconds; resolves once it has (bounded). */
  stop(): Promise<void>;
}

const READY_MS = 30_000;
const STOP_MS = 5000;

/**
 * Starts one rqlite node with foreign keys enforced (`-fk`), as the rqlite README does, serving HTTP on
 * 127.0.0.1:`httpPort` and Raft on the port after it, with its data and log in `folder`; resolves once `/readyz`
 * answers. Fails at once, starting nothing, when either port is taken.
 *
 * @example
 * ```ts
 * const rqlite = await startRqlited(4001, join(temp, 'rqlite'));
 * afterAll(() => rqlite.stop());
 * ```
 */
export async function startRqlited(httpPort: number, folder: string): Promise<StartedServer> {
  const raftPort = httpPort + 1;
  for (const port of [httpPort, raftPort]) {
    if (!(await isFree(port))) throw new Error(`127.0.0.1:${port} is taken: the rqlite node the README uses needs it`);
  }
  const args = ['-node-id', 'n1', '-fk', '-http-addr', `127.0.0.1:${httpPort}`, '-raft-addr', `127.0.0.1:${raftPort}`];
  return startServer(rqlitedPath(), [...args, join(folder, 'data')], `http://127.0.0.1:${httpPort}`, '/readyz', folder);
}

/**
 * Starts `command` with its output in `folder`/server.log (a file, not a pipe: a test that blocks its event loop would
 * leave a pipe unread and the server stalled), and resolves once `url` + `readyPath` answers with a 2xx status;
 * rejects, having stopped it, when it exits first or is not ready within {@link READY_MS}.
 */
async function startServer(
  command: string,
  args: readonly string[],
  url: string,
  readyPath: string,
  folder: string,
): Promise<StartedServer> {
  mkdirSync(folder, { recursive: true });
  const logFile = join(folder, 'server.log');
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '');
  const server = { url, stop: () => stopChild(child, exited) };
  try {
    await waitReady(`${url}${readyPath}`, child, output);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${url}: exited before it was ready:\n${output()}`);
    const ready = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${READY_MS} ms:\n${output()}`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const within = (ms: number) =>
    Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await within(STOP_MS)) return;
  child.kill('SIGKILL');
  if (!(await within(STOP_MS))) throw new Error(`process ${child.pid} did not exit after SIGKILL`);
}

/** Whether nothing listens on 127.0.0.1:`port` now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
