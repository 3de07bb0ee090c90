import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type Child, printed, seededRandom, startChild } from '../../../test/support/child-process.js';
import { inspectDb, type Sandbox, sandbox } from './support/cli.js';

// Three releases of one app rename people.full_name to people.display_name while two of them serve at a time, on one
// database file: 002 (expand) is applied by v2's start-up while v1 still serves, 003 (contract) by the operator once
// only v3 is left. See fixtures/blue-green/app.mjs for what each release reads and writes.

const FIXTURES = fileURLToPath(new URL('./fixtures/blue-green/', import.meta.url));
const APP = join(FIXTURES, 'app.mjs');
const MIGRATIONS = join(FIXTURES, 'migrations');

type Version = 'v1' | 'v2' | 'v3';

/** What a release's start-up printed: the migrations it applied just now and those it left pending. */
interface Boot {
  readonly applied: readonly string[];
  readonly pending: readonly string[];
}

/** A release that is listening. */
interface Release {
  readonly version: Version;
  readonly url: string;
  readonly child: Child;
  readonly boot: Boot;
}

/** A request that did not get the answer it should have. */
interface Failure {
  /** Milliseconds since the load started. */
  readonly atMs: number;
  /** The release step the test was in. */
  readonly step: string;
  readonly version: Version;
  readonly request: string;
  readonly problem: string;
}

const children: Child[] = [];
afterAll(() => {
  for (const child of children)
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
});

/** `promise`, or an error saying what was awaited once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The v1 release shipped the migrations folder as it was then: 001 alone. */
function v1Migrations(box: Sandbox): string {
  const dir = box.path('v1-migrations');
  cpSync(join(MIGRATIONS, '001_create_people'), join(dir, '001_create_people'), { recursive: true });
  return dir;
}

/** Starts a release on `db` and waits until it listens (its start-up, migrations included, is over). */
async function startRelease(version: Version, db: string, migrations: string): Promise<Release> {
  const child = startChild(APP, { version, db, migrations });
  children.push(child);
  const listening = await child.waitFor((line) => line.startsWith('listening '), 10_000);
  const boot = printed<Boot>(child, 'database') ?? { applied: [], pending: [] };
  return { version, url: listening.slice('listening '.length), child, boot };
}

/** SIGTERM, then waits for the release to finish its requests, close the database and exit 0. */
async function stopRelease(release: Release): Promise<void> {
  release.child.process.kill('SIGTERM');
  const { code, signal } = await within(release.child.exited, 5_000, `${release.version} to exit after SIGTERM`);
  if (code !== 0) throw new Error(`${release.version} exited with ${code ?? signal} after SIGTERM:\n${release.child.stderr()}`);
}

/**
 * A steady stream of requests to every release it routes to, from a few lanes that each own their people: a lane
 * creates or renames one of its people through one release, reads the name back through another (when two serve),
 * and reads one of its people through any. A lane waits for each answer before the next request, so the name it last
 * wrote is the one every read must see.
 */
class Load {
  readonly failures: Failure[] = [];
  readonly served: Record<Version, number> = { v1: 0, v2: 0, v3: 0 };
  /** The name last written for each person created, by id. */
  readonly names = new Map<number, string>();
  /** People whose last write failed: whether it was stored is unknown. */
  readonly uncertain = new Set<number>();
  /** The release step under way, for the failures' report. */
  step = 'starting';
  private readonly routes: Release[] = [];
  private readonly inFlight = new Map<Release, Set<Promise<unknown>>>();
  private readonly random = seededRandom(20_260_101);
  private readonly started = Date.now();
  private running = true;
  private readonly lanes: Promise<void>[];

  constructor(lanes: number) {
    this.lanes = Array.from({ length: lanes }, (_, lane) => this.lane(lane));
  }

  route(release: Release): void {
    this.routes.push(release);
    this.inFlight.set(release, new Set());
  }

  /** Stops sending requests to `release` and waits for the answers to those sent. */
  async unroute(release: Release): Promise<void> {
    this.routes.splice(this.routes.indexOf(release), 1);
    await within(Promise.allSettled(this.inFlight.get(release) ?? []), 10_000, `the requests in flight to ${release.version}`);
  }

  async stop(): Promise<void> {
    this.running = false;
    await within(Promise.all(this.lanes), 10_000, 'the load to stop');
  }

  /** The first `count` failures, one line each, and how many there were in all. */
  report(count = 15): string[] {
    const lines = this.failures.slice(0, count).map((f) => `+${f.atMs} ms [${f.step}] ${f.version} ${f.request}: ${f.problem}`);
    if (this.failures.length > count) lines.push(`… ${this.failures.length} failed requests in all`);
    return lines;
  }

  private async lane(lane: number): Promise<void> {
    const mine: number[] = [];
    for (let n = 1; this.running; n++) {
      await sleep(2);
      const writer = this.pick();
      if (writer === undefined) continue;
      const name = `Zoë ${lane}.${n} (${writer.version})`;
      const renamed = mine.length >= 5 && this.random() < 0.75 ? mine[Math.floor(this.random() * mine.length)] : undefined;
      const id = renamed === undefined ? await this.create(writer, name) : await this.rename(writer, renamed, name);
      if (id === undefined) continue;
      if (renamed === undefined) mine.push(id);
      await this.read(this.pick(writer), id);
      const other = mine[Math.floor(this.random() * mine.length)];
      if (other !== undefined) await this.read(this.pick(), other);
    }
  }

  private async create(release: Release, name: string): Promise<number | undefined> {
    const answer = await this.send(release, 'POST', '/people', { name });
    const id = (answer as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'number') return undefined;
    this.names.set(id, name);
    return id;
  }

  private async rename(release: Release, id: number, name: string): Promise<number | undefined> {
    const answer = await this.send(release, 'PUT', `/people/${id}`, { name });
    if (answer === undefined) this.uncertain.add(id);
    else this.names.set(id, name);
    return answer === undefined ? undefined : id;
  }

  private async read(release: Release | undefined, id: number): Promise<void> {
    const expected = this.names.get(id);
    if (release === undefined || expected === undefined || this.uncertain.has(id)) return;
    const request = `GET /people/${id}`;
    const answer = (await this.send(release, 'GET', `/people/${id}`)) as { name?: unknown } | undefined;
    if (answer !== undefined && answer.name !== expected) {
      this.fail(release, request, `read ${JSON.stringify(answer.name)}, last written ${JSON.stringify(expected)}`);
    }
  }

  /** A release routed to, other than `besides` when there is another one. */
  private pick(besides?: Release): Release | undefined {
    const others = this.routes.filter((release) => release !== besides);
    const choices = others.length > 0 ? others : this.routes;
    return choices[Math.floor(this.random() * choices.length)];
  }

  /** The JSON answer of a successful request; a failed one is recorded and gives undefined. */
  private async send(release: Release, method: string, path: string, body?: unknown): Promise<unknown> {
    const request = `${method} ${path}`;
    const sent = fetch(`${release.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(5_000),
    }).then(async (response) => ({ status: response.status, json: (await response.json()) as unknown }));
    const inFlight = this.inFlight.get(release);
    inFlight?.add(sent);
    try {
      const { status, json } = await sent;
      if (status >= 400) {
        this.fail(release, request, `HTTP ${status} ${JSON.stringify((json as { error?: unknown }).error ?? json)}`);
        return undefined;
      }
      this.served[release.version] += 1;
      return json;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      this.fail(release, request, [String(error), cause?.code ?? cause?.message].filter(Boolean).join(': '));
      return undefined;
    } finally {
      inFlight?.delete(sent);
    }
  }

  private fail(release: Release, request: string, problem: string): void {
    this.failures.push({ atMs: Date.now() - this.started, step: this.step, version: release.version, request, problem });
  }
}

/** The columns of people, the triggers, and every person's display_name by id, read outside the apps. */
function readPeople(file: string): { columns: string[]; triggers: string[]; names: Map<number, string> } {
  const { database } = createBetterSqlite3Driver({ filename: file, readonly: true });
  try {
    const columns = database.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('people') as string[];
    const triggers = database.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[];
    const rows = database.prepare('SELECT id, display_name AS name FROM people').all() as { id: number; name: string }[];
    return { columns, triggers, names: new Map(rows.map((row) => [row.id, row.name])) };
  } finally {
    database.close();
  }
}

describe('renaming a column across three releases, two serving at a time on one database', () => {
  it('expand while v1 serves, contract once only v3 serves: no request fails', async () => {
    const box = sandbox();
    const db = box.path('app.db');
    const load = new Load(4);
    const releases: Partial<Record<Version, Release>> = {};
    let stepError: unknown;
    const step = async (name: string, work: () => Promise<void>) => {
      load.step = name;
      await work();
    };
    const serve = (ms: number) => async () => {
      await sleep(ms);
    };
    const start = (version: Version, migrations: string) => async () => {
      const release = await startRelease(version, db, migrations);
      releases[version] = release;
      load.route(release);
    };
    // Graceful: no new requests go to it, those it has are answered, then it is told to stop.
    const stop = (version: Version) => async () => {
      const release = releases[version];
      if (release === undefined) throw new Error(`${version} is not running`);
      await load.unroute(release);
      await stopRelease(release);
    };
    try {
      await step('v1 starting', start('v1', v1Migrations(box)));
      await step('v1 serving alone', serve(1_000));
      await step('v2 starting (expand) while v1 serves', start('v2', MIGRATIONS));
      await step('v1 and v2 serving', serve(2_000));
      await step('v1 stopping', stop('v1'));
      await step('v3 starting while v2 serves', start('v3', MIGRATIONS));
      await step('v2 and v3 serving', serve(1_500));
      await step('v2 stopping', stop('v2'));
      await step('migrate --phase contract while v3 serves', async () => {
        const run = box.start(['--driver', 'better-sqlite3', '--db', db, '--dir', MIGRATIONS, 'migrate', '--phase', 'contract']);
        const { code, stdout, stderr } = await within(run, 10_000, 'migrate --phase contract');
        if (code !== 0) throw new Error(`migrate --phase contract exited with ${code}:\n${stdout}${stderr}`);
      });
      await step('v3 serving after the contract', serve(1_000));
    } catch (error) {
      stepError = error;
    } finally {
      await load.stop();
    }
    load.step = 'v3 stopping';
    if (releases.v3 !== undefined) await stopRelease(releases.v3).catch((error: unknown) => (stepError ??= error));

    expect(load.report()).toEqual([]);
    if (stepError !== undefined) throw stepError;
    expect(releases.v2?.boot).toEqual({ applied: ['002_add_display_name'], pending: ['003_drop_full_name'] });
    expect(releases.v3?.boot).toEqual({ applied: [], pending: ['003_drop_full_name'] });
    for (const version of ['v1', 'v2', 'v3'] as const) expect(load.served[version], version).toBeGreaterThan(200);

    const people = readPeople(db);
    expect(people.columns).toEqual(['id', 'created_at', 'display_name']);
    expect(people.triggers).toEqual([]);
    expect(load.uncertain.size).toBe(0);
    expect(people.names).toEqual(load.names);
    expect(inspectDb(db).history.map((row) => row.version)).toEqual(['001', '002', '003']);
  }, 30_000);

  it('leaves the contract migration pending after v2 has started', async () => {
    const box = sandbox();
    const db = box.path('app.db');
    const v1 = await startRelease('v1', db, v1Migrations(box));
    const v2 = await startRelease('v2', db, MIGRATIONS);
    const status = box.run(['--driver', 'better-sqlite3', '--db', db, '--dir', MIGRATIONS, 'status', '--phases', '--json']);
    await Promise.all([stopRelease(v1), stopRelease(v2)]);

    expect(status).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(status.stdout) as { applied: { version: string }[]; pending: unknown[] };
    expect(report.applied.map((m) => m.version)).toEqual(['001', '002']);
    expect(report.pending).toEqual([
      {
        version: '003',
        name: 'drop_full_name',
        phase: 'contract',
        declared: 'contract',
        changes: [
          { phase: 'contract', message: "column people.full_name removed: the previous version's statements naming it fail" },
          { phase: 'expand', message: 'trigger people_display_name_on_insert removed' },
          { phase: 'expand', message: 'trigger people_display_name_on_update removed' },
        ],
      },
    ]);
  }, 15_000);
});
