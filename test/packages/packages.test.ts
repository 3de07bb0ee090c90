// Packs every public package, installs the tarballs with npm into fresh projects, and runs what the READMEs show
// there: each ```ts block is type-checked with `tsc --strict` and run with node, and the CLI is run as installed.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attempt,
  copyBetterSqlite3Binary,
  emptyProject,
  npmInstall,
  PUBLIC_PACKAGES,
  type PublicPackage,
  packAll,
  ROOT,
  run,
  workspaceVersion,
} from './install.js';
import { readmeBlocks } from './readme-blocks.js';
import { type StartedServer, startRqlited } from './servers.js';

const READMES = ['README.md', ...PUBLIC_PACKAGES.map((name) => `packages/${name}/README.md`)];
const blocks = readmeBlocks(ROOT, READMES).map((block, index) => ({ ...block, name: `block${index}` }));
const temp = mkdtempSync(join(tmpdir(), 'strata-packages-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let tarballs: Record<PublicPackage, string>;
beforeAll(() => {
  tarballs = packAll(join(temp, 'tarballs'));
});

/** An environment whose per-user folders are inside `folder`, so that nothing lands in the real home folder. */
function userEnv(folder: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: join(folder, 'home'), XDG_DATA_HOME: join(folder, 'data-home') };
  // pnpm's npm_* variables would be read by npx as settings of its own.
  for (const name of Object.keys(env))
    if (/^npm_/i.test(name) || ['NO_COLOR', 'FORCE_COLOR', 'DEBUG'].includes(name)) delete env[name];
  return { ...env, npm_config_update_notifier: 'false' };
}

/** The text a finished process left, for assertion messages. */
function outputOf(result: { status: number | null; stdout: string; stderr: string }): string {
  return `exit ${result.status}\n${result.stdout}${result.stderr}`;
}

describe('the tarballs', () => {
  const entries = (tarball: string) => run('tar', ['-tzf', tarball], temp).split('\n').filter(Boolean);

  it('hold no .tsbuildinfo', () => {
    for (const name of PUBLIC_PACKAGES)
      expect(entries(tarballs[name]).filter((entry) => entry.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it('hold each module of the CLI once: its bundle, without the compiled files the bundle is made of', () => {
    const files = entries(tarballs.cli);
    // tsc writes a .js with a .d.ts beside it; the bundle writes .js files alone.
    const compiled = files.filter((entry) => entry.endsWith('.js') && files.includes(entry.replace(/\.js$/, '.d.ts')));
    expect(compiled).toEqual([]);
    expect(files).toContain('package/dist/index.d.ts');
  });
});

/** The port of the rqlite node the rqlite README's example connects to. */
const RQLITE_PORT = 4001;

describe('installed with npm into an empty project, with every package the READMEs use', () => {
  let app: string;
  let rqlite: StartedServer | undefined;
  /** What `tsc --strict` says about each block, by block name, and about anything else. */
  const typeErrors = new Map<string, string[]>();

  afterAll(async () => {
    await rqlite?.stop();
  });

  beforeAll(async () => {
    // The rqlite README's example connects to a node there; so does the CLI below.
    rqlite = await startRqlited(RQLITE_PORT, join(temp, 'rqlite'));
    app = emptyProject(join(temp, 'app'));
    const fromBench = ['better-sqlite3', 'sql.js', 'kysely', 'typescript', '@types/node'].map(
      (name) => `${name}@${workspaceVersion(name, join(ROOT, 'packages', 'bench'))}`,
    );
    const fromLibsql = ['@libsql/client', '@libsql/kysely-libsql'].map(
      (name) => `${name}@${workspaceVersion(name, join(ROOT, 'packages', 'driver-libsql'))}`,
    );
    const versions = [...fromBench, ...fromLibsql];
    // Without install scripts: better-sqlite3 has no prebuilt binary for every Node version and would compile for
    // minutes; the binary the workspace compiled, of the same version, is put in place instead.
    npmInstall(app, [...Object.values(tarballs), ...versions], { ignoreScripts: true });
    copyBetterSqlite3Binary(app);

    mkdirSync(join(app, 'blocks'));
    for (const block of blocks) writeFileSync(join(app, 'blocks', `${block.name}.ts`), block.code);
    // Every typed entry of every package, so that declarations no block imports are checked too.
    writeFileSync(join(app, 'blocks', 'entries.ts'), entriesModule(app));
    const files = [...blocks.map((block) => join('blocks', `${block.name}.ts`)), join('blocks', 'entries.ts')];
    const flags = [
      '--strict',
      '--module',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--rootDir',
      'blocks',
      '--outDir',
      'out',
    ];
    const tsc = attempt(
      process.execPath,
      [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), ...flags, ...files],
      app,
      process.env,
    );
    let last = '';
    for (const line of tsc.stdout.split('\n').filter(Boolean)) {
      const at = /^blocks\/(block\d+)\.ts\((\d+),(\d+)\): (.*)$/.exec(line);
      const block = blocks.find((b) => b.name === at?.[1]);
      // A message of several lines goes on indented: it belongs to the error before it.
      if (at === null && /^\s/.test(line)) {
        typeErrors.get(last)?.push(line);
        continue;
      }
      last = block?.name ?? '';
      const [file, first] = block?.where.split(':') ?? [];
      const where = at === null || block === undefined ? line : `${file}:${Number(first) + Number(at[2]) - 1}:${at[3]}: ${at[4]}`;
      typeErrors.set(last, [...(typeErrors.get(last) ?? []), where]);
    }
  });

  it('type-checks the packages’ declarations, which import no types from their devDependencies', () => {
    expect(typeErrors.get('') ?? []).toEqual([]);
    for (const name of PUBLIC_PACKAGES) {
      const folder = join(app, 'node_modules', '@strata', name);
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
      const needed = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
      // Modules only a devDependency provides: a devDependency that is no dependency or peer, and a package whose
      // types come from a devDependency (@types/x for x).
      const devOnly = Object.keys(manifest.devDependencies ?? {})
        .flatMap((dev) => (dev.startsWith('@types/') ? [dev.slice('@types/'.length)] : needed.has(dev) ? [] : [dev]))
        .filter((dev) => dev !== 'node');
      const found = declarationsOf(join(folder, 'dist')).flatMap((file) =>
        devOnly
          .filter((dev) => new RegExp(`(from |import\\()'${dev.replace(/[.]/g, '\\.')}(/[^']*)?'`).test(codeOf(file)))
          .map((dev) => `${file}: ${dev}`),
      );
      expect(found, `@strata/${name}`).toEqual([]);
    }
  });

  // Before the README's blocks, which migrate the same rqlite node.
  it.each([
    ['libsql', 'file:cli-libsql.db'],
    ['rqlite', `http://127.0.0.1:${RQLITE_PORT}`],
  ])('migrates with `strata --driver %s --db %s migrate`, and shows the status', (driver, db) => {
    const migrations = join(temp, 'cli', driver, 'migrations');
    cpSync(join(ROOT, 'migrations'), migrations, { recursive: true });
    const env = userEnv(join(temp, 'cli', driver));
    const strata = (...args: string[]) =>
      attempt('npx', ['strata', '--driver', driver, '--db', db, '--dir', migrations, ...args], app, env);
    const migrated = strata('migrate');
    expect(migrated.status, outputOf(migrated)).toBe(0);
    expect(migrated.stdout).toMatch(/^Applied 3 migrations in \d+ ms\.$/m);
    const status = strata('status');
    expect(status.status, outputOf(status)).toBe(0);
    expect(status.stdout).toMatch(/Pending migrations:\n {2}\(none\)/);
  });

  describe.each(blocks)('$where', (block) => {
    it('type-checks with tsc --strict', () => {
      expect(typeErrors.get(block.name) ?? []).toEqual([]);
    });

    it('runs with node, in a folder holding a copy of the migrations', () => {
      const cwd = join(temp, 'runs', block.name);
      cpSync(join(ROOT, 'migrations'), join(cwd, 'migrations'), { recursive: true });
      const result = attempt(process.execPath, [join(app, 'out', `${block.name}.js`)], cwd, userEnv(cwd));
      expect(result.status, `${block.where}: ${outputOf(result)}`).toBe(0);
    });
  });

  it('has one @strata/core, whose StrataError the drivers throw', () => {
    for (const driver of ['driver-better-sqlite3', 'driver-sqljs', 'driver-libsql', 'driver-rqlite']) {
      expect(existsSync(join(app, 'node_modules', '@strata', driver, 'node_modules', '@strata', 'core'))).toBe(false);
    }
    const script = join(app, 'one-core.mjs');
    writeFileSync(
      script,
      [
        "import { StrataError } from '@strata/core';",
        "import { createReaderPool } from '@strata/driver-better-sqlite3';",
        "import { openSqlJsFile } from '@strata/driver-sqljs/node';",
        "import { createLibsqlDriver } from '@strata/driver-libsql';",
        "import { createRqliteDriver } from '@strata/driver-rqlite';",
        'const failures = await Promise.allSettled([',
        "  createReaderPool('one-core.db', 0),",
        "  openSqlJsFile('/dev/null'),",
        "  createLibsqlDriver({ url: 'file:one-core-libsql.db', foreignKeys: false }),",
        "  createRqliteDriver({ url: 'http://127.0.0.1:9' }).exec('BEGIN'),",
        ']);',
        "console.log(failures.map((f) => f.status === 'rejected' && f.reason instanceof StrataError).join(' '));",
        '',
      ].join('\n'),
    );
    const result = attempt(process.execPath, [script], app, userEnv(join(temp, 'one-core')));
    expect(result.stdout, outputOf(result)).toBe('true true true true\n');
  });

  it('has a strata command whose help names it', () => {
    const result = attempt('npx', ['strata', '--help'], app, userEnv(join(temp, 'help')));
    expect(result.status, outputOf(result)).toBe(0);
    expect(result.stdout).toMatch(/^Usage: strata \[options\] <command> /);
  });
});

describe('the CLI installed for sql.js alone', () => {
  let project: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    project = emptyProject(join(temp, 'sqljs-only'));
    npmInstall(project, [
      tarballs.cli,
      tarballs.core,
      tarballs['driver-sqljs'],
      `sql.js@${workspaceVersion('sql.js', join(ROOT, 'packages', 'driver-sqljs'))}`,
    ]);
    cpSync(join(ROOT, 'migrations'), join(project, 'migrations'), { recursive: true });
    env = userEnv(join(temp, 'sqljs-user'));
  });

  it('has no better-sqlite3', () => {
    expect(existsSync(join(project, 'node_modules', 'better-sqlite3'))).toBe(false);
  });

  it('migrates with `strata --driver sqljs migrate` and shows the status with `migrate --driver sqljs status`', () => {
    const migrated = attempt('npx', ['strata', '--driver', 'sqljs', 'migrate'], project, env);
    expect(migrated.status, outputOf(migrated)).toBe(0);
    expect(migrated.stdout).toMatch(/^Applied 3 migrations in \d+ ms\.$/m);
    const status = attempt('npx', ['migrate', '--driver', 'sqljs', 'status'], project, env);
    expect(status.status, outputOf(status)).toBe(0);
    expect(status.stdout).toMatch(/Pending migrations:\n {2}\(none\)/);
  });

  it('says what to install when the default driver is asked for', () => {
    const refused = attempt('npx', ['strata', 'status'], project, env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /^error INVALID_OPTION: the better-sqlite3 driver \(the default\) needs the better-sqlite3 package, which is not installed: install it \(npm install better-sqlite3@12\), or pass --driver sqljs/,
    );
  });
});

/** A file without its comment lines, which may well name a module in an example. */
function codeOf(file: string): string {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
    .join('\n');
}

/**
 * A module that imports the types of every entry (an `exports` key with `types`) of every public package installed
 * in `project`.
 */
function entriesModule(project: string): string {
  return PUBLIC_PACKAGES.flatMap((name) => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', '@strata', name, 'package.json'), 'utf8')) as {
      exports: Record<string, string | { types?: string }>;
    };
    return Object.entries(manifest.exports)
      .filter(([, target]) => typeof target === 'object' && target.types !== undefined)
      .map(([entry]) => `@strata/${name}${entry.slice(1)}`);
  })
    .map((specifier, index) => `import type * as entry${index} from '${specifier}';\n`)
    .join('');
}

/** Every .d.ts file under `folder`. */
function declarationsOf(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.d.ts'))
    .map((file) => join(folder, file));
}
