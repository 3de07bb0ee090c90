// The "bundle start-up" section: what a start-up pays for a migrate() with nothing to do when its migrations are
// compiled in as a module `strata bundle` wrote, in the older form (a map of files, parsed and hashed at every start)
// and in the precomputed form (taken as it is), measured side by side in fresh processes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMigrationsFolder } from '@strata/core/node';
import { writeMigrationsBundle } from '@strata/core/node/operations';
import { schemaCorpus, writeStrataLayout } from './corpus.js';
import { median, rotate } from './stats.js';

/** The section's heading in BENCHMARKS.md. */
export const BUNDLE_HEADING = '## Bundle start-up';

/** One form of bundle: the medians of its runs. */
export interface BundleForm {
  readonly form: 'file map' | 'precomputed';
  readonly bytes: number;
  /** From the module imported to migrate() returned: the in-process no-op. */
  readonly ms: number;
  readonly msList: readonly number[];
  /** Importing the module, before that (parsing its text), for reference. */
  readonly importMs: number;
}

/** What the section reports. */
export interface BundleStartup {
  readonly migrations: number;
  readonly runs: number;
  readonly forms: readonly BundleForm[];
}

/**
 * The module `strata bundle` wrote before bundles were precomputed: the folder's files as a frozen map of path →
 * text, which a start-up parses and hashes (kept here to measure it against; the manager still takes it).
 */
export function fileMapModule(files: Readonly<Record<string, string>>): string {
  const entries = Object.keys(files)
    .sort()
    .map((path) => `  ${JSON.stringify(path)}: ${JSON.stringify(files[path])},\n`);
  return `const migrations = Object.freeze({\n${entries.join('')}});\nexport { migrations };\nexport default migrations;\n`;
}

/**
 * Writes the corpus of `size` migrations under `work`, both bundles of it, a database with all of it applied (by the
 * CLI), then runs `bundle-run.js` on each bundle `runs` times, interleaved, each on a fresh copy of that database.
 */
export async function measureBundleStartup(work: string, size: number, runs: number, cli: string): Promise<BundleStartup> {
  const dir = join(work, 'bundle', 'migrations');
  mkdirSync(dir, { recursive: true });
  await writeStrataLayout(schemaCorpus(size).migrations, dir);
  const fileMap = join(work, 'bundle', 'file-map.mjs');
  const source = fileMapModule(await readMigrationsFolder(dir));
  writeFileSync(fileMap, source);
  const precomputed = join(work, 'bundle', 'precomputed.mjs');
  const written = await writeMigrationsBundle(dir, precomputed);
  const template = join(work, 'bundle', 'template.db');
  execFileSync(process.execPath, [cli, 'migrate', '--db', template, '--dir', dir], { stdio: 'ignore' });
  const script = fileURLToPath(new URL('./bundle-run.js', import.meta.url));
  const cases = [
    { form: 'file map' as const, file: fileMap, bytes: Buffer.byteLength(source) },
    { form: 'precomputed' as const, file: precomputed, bytes: written.bytes },
  ];
  const samples = new Map(cases.map((c) => [c.form, [] as { ms: number; importMs: number }[]]));
  const db = join(work, 'bundle', 'run.db');
  for (let run = 0; run < runs; run++) {
    for (const c of rotate(cases, run)) {
      copyFileSync(template, db);
      const output = execFileSync(process.execPath, [script, c.file, db], { encoding: 'utf8' });
      samples.get(c.form)?.push(JSON.parse(output) as { ms: number; importMs: number });
    }
  }
  const forms = cases.map((c): BundleForm => {
    const list = samples.get(c.form) ?? [];
    const total = list.map((s) => s.ms - s.importMs);
    return { form: c.form, bytes: c.bytes, ms: median(total), msList: total, importMs: median(list.map((s) => s.importMs)) };
  });
  return { migrations: size, runs, forms };
}

/** The section's Markdown lines. */
export function renderBundleStartup(result: BundleStartup): string[] {
  const [files, precomputed] = [
    result.forms.find((f) => f.form === 'file map'),
    result.forms.find((f) => f.form === 'precomputed'),
  ];
  const ratio = files !== undefined && precomputed !== undefined ? files.ms / precomputed.ms : undefined;
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  return [
    BUNDLE_HEADING,
    '',
    `A start-up that opens a database with ${result.migrations.toLocaleString('en')} migrations compiled in, all applied already,`,
    'better-sqlite3: from the bundle module imported to `migrate()` returned with nothing to do (`new MigrationManager({',
    "driver, migrations })` over the module's default export), the median of fresh processes, interleaved, on a copy of",
    'the same database. *file map*: the older module `strata bundle` wrote, path → text, which still loads (every',
    'up.sql hashed, every meta.yaml parsed, the set checked and ordered at each start); *precomputed*: the module it',
    'writes now (checksums, meta and order taken as they are). Importing the module (parsing its text) comes before',
    'and is shown apart: it costs about the same for both. Regenerate this section alone with `pnpm bench --only bundle`.',
    '',
    '| bundle | size | import | no-op start-up |',
    '| --- | ---: | ---: | ---: |',
    ...result.forms.map((f) => `| ${f.form} | ${kib(f.bytes)} | ${f.importMs.toFixed(1)} ms | ${f.ms.toFixed(1)} ms |`),
    '',
    `Precomputed over file map: ${ratio === undefined ? '–' : `${(1 / ratio).toFixed(2)}× the time (${ratio.toFixed(1)} times faster)`}, median of ${result.runs} runs each.`,
  ];
}
