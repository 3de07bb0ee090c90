// Packs the public packages and installs them into fresh projects with npm, as a stranger to this repository would.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The public packages, by folder under packages/. */
export const PUBLIC_PACKAGES = [
  'core',
  'driver-better-sqlite3',
  'driver-sqljs',
  'driver-libsql',
  'driver-rqlite',
  'cli',
] as const;
export type PublicPackage = (typeof PUBLIC_PACKAGES)[number];

/** Runs a command, failing with its output when it exits with another code than 0. */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status}:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** Runs a command and returns what it did, whatever its exit code. */
export function attempt(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

/** Packs every public package with `pnpm pack` (its `prepack` builds it) into `into`; returns each tarball's path. */
export function packAll(into: string): Record<PublicPackage, string> {
  mkdirSync(into, { recursive: true });
  const tarballs = {} as Record<PublicPackage, string>;
  for (const name of PUBLIC_PACKAGES) {
    const before = new Set(readdirSync(into));
    run('pnpm', ['pack', '--pack-destination', into], join(ROOT, 'packages', name));
    const made = readdirSync(into).filter((file) => !before.has(file) && file.endsWith('.tgz'));
    if (made.length !== 1) throw new Error(`pnpm pack of packages/${name} made ${made.join(', ') || 'no tarball'}`);
    tarballs[name] = join(into, made[0] as string);
  }
  return tarballs;
}

/** The version of a third-party package this repository installed, as seen from one of its packages. */
export function workspaceVersion(name: string, from = ROOT): string {
  return (JSON.parse(readFileSync(join(packageFolder(name, from), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The folder of a package installed in the workspace, as `from` resolves it. */
export function packageFolder(name: string, from = ROOT): string {
  for (let folder = from; ; folder = dirname(folder)) {
    try {
      return realpathSync(join(folder, 'node_modules', name));
    } catch {
      if (dirname(folder) === folder) throw new Error(`${name} is not installed in the workspace`);
    }
  }
}

/** A fresh npm project in `folder`: an ES module package.json and nothing else. */
export function emptyProject(folder: string): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'package.json'),
    `${JSON.stringify({ name: 'strata-user', private: true, type: 'module' }, null, 2)}\n`,
  );
  return folder;
}

/** `npm install` in `project`, from the npm registry npm is configured with and the given tarballs. */
export function npmInstall(project: string, specs: readonly string[], options: { ignoreScripts?: boolean } = {}): void {
  const flags = ['--no-audit', '--no-fund', '--loglevel=error', ...(options.ignoreScripts ? ['--ignore-scripts'] : [])];
  run('npm', ['install', ...flags, ...specs], project);
}

/**
 * Puts the better-sqlite3 binary compiled in the workspace into a project where better-sqlite3 was installed without
 * its install script: for this Node version it has no prebuilt binary, and compiling it again would take minutes.
 * Both are the same better-sqlite3 version.
 */
export function copyBetterSqlite3Binary(project: string): void {
  const source = packageFolder('better-sqlite3', join(ROOT, 'packages', 'driver-better-sqlite3'));
  const target = join(project, 'node_modules', 'better-sqlite3');
  const version = (folder: string) =>
    (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version: string }).version;
  if (version(source) !== version(target)) {
    throw new Error(`better-sqlite3 ${version(target)} was installed, but the workspace compiled ${version(source)}`);
  }
  const binary = join('build', 'Release', 'better_sqlite3.node');
  mkdirSync(dirname(join(target, binary)), { recursive: true });
  copyFileSync(join(source, binary), join(target, binary));
}
