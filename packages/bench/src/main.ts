// `pnpm bench`: generates the corpora, runs every contender in every scenario as whole processes, interleaved, and
// writes BENCHMARKS.md. `pnpm bench --help` lists the options.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BUNDLE_HEADING, type BundleStartup, measureBundleStartup, renderBundleStartup } from './bundle-startup.js';
import type { Action, Contender } from './contender.js';
import { strataBin } from './contenders/strata.js';
import { contenders as allContenders } from './contenders.js';
import { type Corpus, dataCorpus, schemaCorpus } from './corpus.js';
import { measure, type Sample } from './measure.js';
import { type InProcessResult, type Measured, renderReport, type Scenario } from './report.js';
import { sectionOf, spliceSection, writeSection } from './sections.js';
import { median, rotate } from './stats.js';
import { measureTenants, renderTenants, TENANTS_HEADING } from './tenants.js';
import { verify } from './verify.js';

const USAGE = `pnpm bench [options]

Runs every contender in every scenario as whole processes, interleaved, and writes BENCHMARKS.md.

  --sizes LIST        corpus sizes (default 100,1000,10000)
  --runs N            runs per contender and scenario (default: 7 up to 1000 migrations, and 15 of the floors'
                      and Strata's no-op at 1000; above, one cold and one rollback run, which take tens of seconds
                      each, and 3 no-op runs)
  --contenders LIST   only these contender ids (default: all; the floors are always included)
  --all-sizes         run the other tools at every size too (default: they run at 1000 only, beside the floors
                      and Strata, which keeps a full run under 10 minutes)
  --in-process N      processes for the in-process no-op check (default 15)
  --timeout S         give up on a run after S seconds (default 180)
  --out FILE          where to write the report (default BENCHMARKS.md at the repository root)
  --json FILE         also write every measurement, raw, to FILE
  --from FILE         write the report from a file that --json wrote, running nothing
  --keep              keep the generated corpora and databases
  --only SECTION      measure one section and write only it into the report, leaving the rest as it is:
                      bundle (start-up from a file-map bundle vs a precomputed one, 1000 migrations) or
                      tenants (many tenant database files: the CLI over a glob against a loop of the floor script)
  --bundle-runs N     runs of each bundle form in the bundle section (default 15; --runs sets it too)
  --tenants N         tenant databases in the tenants section (default 10000; N / 10 is measured too)
  -h, --help          show this help`;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000,10000' },
    runs: { type: 'string' },
    contenders: { type: 'string' },
    'in-process': { type: 'string', default: '15' },
    timeout: { type: 'string', default: '180' },
    out: { type: 'string', default: fileURLToPath(new URL('../../../BENCHMARKS.md', import.meta.url)) },
    json: { type: 'string' },
    from: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'all-sizes': { type: 'boolean', default: false },
    only: { type: 'string' },
    'bundle-runs': { type: 'string', default: '15' },
    tenants: { type: 'string', default: '10000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

/** What --json writes: the report's input, with contenders named by id. */
interface RawResults {
  readonly measured: readonly (Omit<Measured, 'contender'> & { readonly contender: string })[];
  readonly inProcess: readonly InProcessResult[];
  readonly contenders: readonly string[];
  readonly sizes: readonly number[];
  readonly seconds: number;
  /** The bundle start-up section's measurements, when the run made them. */
  readonly bundle?: BundleStartup;
}

if (values.from !== undefined) {
  const raw = JSON.parse(readFileSync(values.from, 'utf8')) as RawResults;
  const byId = (id: string): Contender => {
    const found = allContenders.find((c) => c.id === id);
    if (found === undefined) throw new Error(`${values.from} names a contender this bench does not have: ${id}`);
    return found;
  };
  const measured = raw.measured.map((m) => ({ ...m, contender: byId(m.contender) }) as Measured);
  let report = renderReport({ ...raw, measured, contenders: raw.contenders.map(byId) });
  if (raw.bundle !== undefined) report = spliceSection(report, BUNDLE_HEADING, renderBundleStartup(raw.bundle));
  writeFileSync(resolve(values.out), report);
  process.stderr.write(`wrote ${resolve(values.out)} from ${values.from}\n`);
  process.exit(0);
}

if (values.only !== undefined) {
  await runOnly(values.only);
  process.exit(0);
}

/** Runs of each form in the bundle section: --runs when given, else --bundle-runs. */
function bundleRuns(): number {
  return Number(values.runs ?? values['bundle-runs']);
}

/** `--only SECTION`: measures that section alone and writes it into the report. */
async function runOnly(section: string): Promise<void> {
  const out = resolve(values.out);
  const scratch = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  const say = (line: string) => process.stderr.write(`${line}\n`);
  try {
    if (section === 'bundle') {
      say('bundle start-up: 1000 migrations, file map vs precomputed');
      const result = await measureBundleStartup(scratch, 1000, bundleRuns(), strataBin);
      writeSection(out, BUNDLE_HEADING, renderBundleStartup(result));
    } else if (section === 'tenants') {
      const count = Number(values.tenants);
      say(`tenant databases: ${count}, and ${Math.round(count / 10)}`);
      const timeoutMs = Number(values.timeout) * 1000;
      const runs = values.runs === undefined ? undefined : Number(values.runs);
      const result = await measureTenants(scratch, count, { log: say, timeoutMs, ...(runs === undefined ? {} : { runs }) });
      writeSection(out, TENANTS_HEADING, renderTenants(result));
    } else {
      process.stderr.write(`--only: no section ${JSON.stringify(section)}; name bundle or tenants\n`);
      process.exit(2);
    }
    say(`wrote the section into ${out}`);
  } finally {
    if (!values.keep) rmSync(scratch, { recursive: true, force: true });
    else say(`kept ${scratch}`);
  }
}

const sizes = values.sizes.split(',').map((size) => Number(size));
// The sizes the other tools run at: 1000, where the targets compare them, or every size up to 1000 asked for without it.
const toolSizes = sizes.includes(1000) ? [1000] : sizes.filter((size) => size <= 1000);
const timeoutMs = Number(values.timeout) * 1000;
const wanted = values.contenders?.split(',');
const contenders = allContenders.filter((c) => wanted === undefined || wanted.includes(c.id) || c.id === c.floor);
const work = mkdtempSync(join(tmpdir(), 'strata-bench-'));
const started = Date.now();

function log(line: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${seconds} s] ${line}\n`);
}

function runsFor(size: number, name: Scenario): number {
  if (values.runs !== undefined) return Number(values.runs);
  if (size <= 1000) return 7;
  return name === 'noop' ? 3 : 1;
}

/**
 * Rounds run after those, by the floors and Strata only. The no-op at 1000 is short and the headline figure: more
 * runs keep one burst of noise on a shared machine from moving its median, without the time of every tool's runs.
 */
function extraRunsFor(size: number, name: Scenario): number {
  return values.runs === undefined && size === 1000 && name === 'noop' ? 8 : 0;
}

/** The floors (and the reference beside one) and Strata: the ratios every target is about. */
const isMeasuredMost = (c: Contender) => c.id.startsWith('floor') || c.id.startsWith('strata-');

/** Writes each distinct layout once per corpus; contenders that share a layout writer share the folder. */
async function writeLayouts(corpus: Corpus, taking: (c: Contender) => boolean = () => true): Promise<Map<Contender, string>> {
  const byWriter = new Map<Contender['writeLayout'], string>();
  const dirs = new Map<Contender, string>();
  for (const contender of contenders.filter(taking)) {
    let dir = byWriter.get(contender.writeLayout);
    if (dir === undefined) {
      dir = join(work, corpus.id, `layout-${contender.id}`);
      mkdirSync(dir, { recursive: true });
      await contender.writeLayout(corpus.migrations, dir);
      byWriter.set(contender.writeLayout, dir);
    }
    dirs.set(contender, dir);
  }
  return dirs;
}

/** One contender's run: prepare its database, measure the process, check what it left. */
async function runOnce(
  contender: Contender,
  corpus: Corpus,
  layout: string,
  scenario: Scenario,
  template?: string,
): Promise<Sample> {
  const dir = join(work, corpus.id, 'runs', contender.id);
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'bench.db');
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${db}${suffix}`, { force: true });
  if (template !== undefined) copyFileSync(template, db);
  const action: Action = scenario === 'rollback' ? 'down' : 'up';
  const sample = await measure(contender.invocation(action, layout, db), join(dir, 'time.txt'), timeoutMs);
  verify(db, corpus.shape, action === 'up');
  return sample;
}

/**
 * A database with the whole corpus applied by `contender` itself, for the no-op and rollback scenarios; the run that
 * made it is a cold run like any other, and counts as the first one.
 */
async function template(contender: Contender, corpus: Corpus, layout: string): Promise<{ file: string; cold: Sample }> {
  const cold = await runOnce(contender, corpus, layout, 'cold');
  const file = join(work, corpus.id, `template-${contender.id}.db`);
  copyFileSync(join(work, corpus.id, 'runs', contender.id, 'bench.db'), file);
  return { file, cold };
}

/** Whether `contender` runs on a corpus of `size` migrations. */
function runsAt(contender: Contender, size: number): boolean {
  return (
    toolSizes.includes(size) || values['all-sizes'] || contender.id === contender.floor || contender.id.startsWith('strata-')
  );
}

async function scenario(
  corpus: Corpus,
  name: Scenario,
  layouts: Map<Contender, string>,
  templates: Map<Contender, string>,
  runs: number,
  firstRuns: ReadonlyMap<Contender, Sample> = new Map(),
  extraRuns = 0,
): Promise<Measured[]> {
  const size = corpus.migrations.length;
  // Every tool runs the data-heavy migration; the corpora of many migrations, at the sizes runsAt says.
  const runsHere = (c: Contender) => (name === 'data' ? c.schemaOnly !== true : runsAt(c, size));
  const taking = contenders.filter((c) => (name !== 'rollback' || c.rollsBack) && runsHere(c));
  const samples = new Map<Contender, Sample[]>(taking.map((c) => [c, []]));
  for (const [contender, sample] of firstRuns) samples.get(contender)?.push(sample);
  const failures = new Map<Contender, string>();
  for (let run = firstRuns.size > 0 ? 1 : 0; run < runs + extraRuns; run++) {
    for (const contender of rotate(run < runs ? taking : taking.filter(isMeasuredMost), run)) {
      if (failures.has(contender)) continue;
      try {
        const sample = await runOnce(
          contender,
          corpus,
          layouts.get(contender) ?? '',
          name,
          name === 'cold' || name === 'data' ? undefined : templates.get(contender),
        );
        samples.get(contender)?.push(sample);
      } catch (error) {
        failures.set(contender, String(error instanceof Error ? error.message : error).split('\n')[0] ?? '');
        log(`  ${contender.id} failed: ${failures.get(contender)}`);
      }
    }
  }
  return contenders.map((contender) => {
    const list = samples.get(contender) ?? [];
    const failure = failures.get(contender);
    if (!runsHere(contender)) return { contender, corpus: corpus.id, scenario: name, size, status: 'skipped' as const };
    if (!taking.includes(contender)) return { contender, corpus: corpus.id, scenario: name, size, status: 'n/a' as const };
    if (failure !== undefined)
      return { contender, corpus: corpus.id, scenario: name, size: corpus.migrations.length, status: 'failed' as const, failure };
    const mibs = list.flatMap((s) => (s.mib === undefined ? [] : [s.mib]));
    return {
      contender,
      corpus: corpus.id,
      scenario: name,
      size: corpus.migrations.length,
      status: 'ok' as const,
      ms: median(list.map((s) => s.ms)),
      msList: list.map((s) => s.ms),
      mib: mibs.length === 0 ? undefined : median(mibs),
    };
  });
}

async function inProcess(
  size: number,
  layout: string,
  templates: Map<Contender, string>,
  count: number,
): Promise<InProcessResult[]> {
  const script = fileURLToPath(new URL('./inprocess-run.js', import.meta.url));
  const results: InProcessResult[] = [];
  const cases = [
    ['better-sqlite3', 'read', 'strata-better-sqlite3'],
    ['better-sqlite3', 'disk', 'strata-better-sqlite3'],
    ['better-sqlite3', 'memory', 'strata-better-sqlite3'],
    ['sqljs', 'disk', 'strata-sqljs'],
    ['sqljs', 'memory', 'strata-sqljs'],
  ] as const;
  const samples = new Map<string, number[]>(cases.map(([d, s]) => [`${d}/${s}`, []]));
  for (let run = 0; run < count; run++) {
    for (const [driver, source, id] of rotate(cases, run)) {
      const from = [...templates].find(([c]) => c.id === id)?.[1];
      if (from === undefined) continue;
      const db = join(work, `inprocess-${driver}.db`);
      copyFileSync(from, db);
      const output = execFileSync(process.execPath, [script, driver, source, layout, db], { encoding: 'utf8' });
      samples.get(`${driver}/${source}`)?.push((JSON.parse(output) as { ms: number }).ms);
    }
  }
  for (const [driver, source] of cases) {
    const list = samples.get(`${driver}/${source}`) ?? [];
    if (list.length > 0) results.push({ driver, source, size, ms: median(list), msList: list });
  }
  return results;
}

const measured: Measured[] = [];
const inProcessResults: InProcessResult[] = [];
try {
  for (const size of sizes) {
    const corpus = schemaCorpus(size);
    log(`N = ${size}: writing layouts`);
    const layouts = await writeLayouts(corpus, (c) => runsAt(c, size));
    log(`N = ${size}: preparing applied databases`);
    const templates = new Map<Contender, string>();
    const firstColdRuns = new Map<Contender, Sample>();
    for (const contender of contenders.filter((c) => runsAt(c, size))) {
      try {
        const made = await template(contender, corpus, layouts.get(contender) ?? '');
        templates.set(contender, made.file);
        firstColdRuns.set(contender, made.cold);
      } catch (error) {
        log(`  ${contender.id} could not apply the corpus: ${String(error).split('\n')[0]}`);
      }
    }
    for (const name of ['cold', 'noop', 'rollback'] as const) {
      const runs = runsFor(size, name);
      const extra = extraRunsFor(size, name);
      log(`N = ${size}: ${name}, ${runs} runs each${extra > 0 ? `, ${runs + extra} for the floors and Strata` : ''}`);
      const first = name === 'cold' ? firstColdRuns : undefined;
      measured.push(...(await scenario(corpus, name, layouts, templates, runs, first, extra)));
    }
    if (size === 1000 || (sizes.length === 1 && size === sizes[0])) {
      log(`N = ${size}: in-process no-op check`);
      const strataLayout = [...layouts].find(([c]) => c.id === 'strata-better-sqlite3')?.[1] ?? '';
      inProcessResults.push(...(await inProcess(size, strataLayout, templates, Number(values['in-process']))));
    }
    rmSync(join(work, corpus.id), { recursive: true, force: true });
  }
  const data = dataCorpus();
  log('data-heavy migration');
  const dataLayouts = await writeLayouts(data, (c) => c.schemaOnly !== true);
  measured.push(
    ...(await scenario(data, 'data', dataLayouts, new Map(), Math.max(...sizes.map((size) => runsFor(size, 'data'))))),
  );
  // At 1000 migrations, or at the one size a small run asks for.
  const bundleSize = sizes.includes(1000) ? 1000 : (sizes[0] ?? 1000);
  log(`bundle start-up, ${bundleSize} migrations`);
  const bundle = await measureBundleStartup(work, bundleSize, bundleRuns(), strataBin);
  const input = { measured, inProcess: inProcessResults, contenders, sizes, seconds: (Date.now() - started) / 1000 };
  // The tenants section takes long and runs only with --only tenants: a full run keeps the one the file has.
  const previous = existsSync(resolve(values.out)) ? readFileSync(resolve(values.out), 'utf8') : '';
  const tenants = sectionOf(previous, TENANTS_HEADING);
  let report = spliceSection(renderReport(input), BUNDLE_HEADING, renderBundleStartup(bundle));
  if (tenants !== undefined) report = spliceSection(report, TENANTS_HEADING, tenants);
  writeFileSync(resolve(values.out), report);
  log(`wrote ${resolve(values.out)}`);
  if (values.json !== undefined) {
    const raw: RawResults = {
      ...input,
      bundle,
      measured: measured.map((m) => ({ ...m, contender: m.contender.id })),
      contenders: contenders.map((c) => c.id),
    };
    writeFileSync(resolve(values.json), `${JSON.stringify(raw, null, 1)}\n`);
    log(`wrote ${resolve(values.json)}`);
  }
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
