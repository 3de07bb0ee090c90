import { RunError, type RunEvent, type RunReport, type SerializedError, StrataError } from '@strata/core';
import { type BrowserDatabase, openBrowserDatabase } from '@strata/driver-sqljs/browser';
import initSqlJs from 'sql.js';
// The glue Vite picks for browsers is sql-wasm-browser.js; this is the wasm built with it.
import wasmUrl from 'sql.js/dist/sql-wasm-browser.wasm?url';
import { migrationFiles } from './migrations.js';
import type { PageState, RunOutcome } from './page-state.js';
import { formatDuration, h } from './view/dom.js';
import { statsView } from './view/stats.js';
import { statusLines } from './view/status.js';
import { timelineView } from './view/timeline.js';
import './style.css';

// ?db=<name> picks the database (tests give each case its own), ?extra=<folder> adds a test migration, and ?manual
// leaves migrating to the button.
const params = new URLSearchParams(location.search);
const name = params.get('db') ?? 'case-crafter';
const extras = params.getAll('extra');
const migrateOnLoad = !params.has('manual');

const element = <E extends HTMLElement>(id: string) => document.getElementById(id) as E;
const buttons = { migrate: element<HTMLButtonElement>('migrate'), rollback: element<HTMLButtonElement>('rollback') };
const message = element('message');

let state: PageState = { phase: 'loading', database: name, actions: 0, plan: [] };
function publish(next: Partial<PageState>): void {
  state = { ...state, ...next };
  window.strata = state;
  document.body.dataset.phase = state.phase;
  buttons.migrate.disabled = buttons.rollback.disabled = state.phase !== 'ready';
}

function plainError(error: unknown): SerializedError {
  if (error instanceof StrataError) {
    const { code, message, version, file } = error;
    return { code, message, ...(version === undefined ? {} : { version }), ...(file === undefined ? {} : { file }) };
  }
  return { code: 'DATABASE_ERROR', message: error instanceof Error ? error.message : String(error) };
}

// Progress goes to the console too: while a long migration runs the page cannot repaint, but a debugger (or a test)
// still sees which migration started.
function onEvent(event: RunEvent): void {
  if (event.type === 'statement') return;
  const version = event.type === 'start' ? event.migration.version : event.step.version;
  console.info(`strata:${event.type} ${version}`);
  if (event.type === 'start') message.textContent = `${event.direction === 'up' ? 'Applying' : 'Rolling back'} ${version}…`;
}

function summary(outcome: RunOutcome): Node[] {
  const done = outcome.steps.filter((s) => s.status === 'applied' || s.status === 'rolled-back');
  const skipped = outcome.steps.filter((s) => s.status === 'skipped').map((s) => s.version);
  const total = done.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
  const verb = outcome.action === 'migrate' ? 'Applied' : 'Rolled back';
  const parts: Node[] = [];
  if (done.length > 0)
    parts.push(h('span', {}, `${verb} ${done.map((s) => `${s.version} ${s.name}`).join(', ')} in ${formatDuration(total)}. `));
  else if (outcome.error === undefined) parts.push(h('span', {}, 'Nothing to apply: the database is up to date. '));
  if (skipped.length > 0) parts.push(h('span', {}, `Another tab had already done ${skipped.join(', ')}. `));
  if (outcome.error !== undefined) {
    const { code, version, file } = outcome.error;
    const where = [version && `version ${version}`, file].filter(Boolean).join(', ');
    parts.push(h('div', {}, h('span', { class: 'code' }, code), ` (${where}): ${outcome.error.message}`));
  }
  return parts;
}

async function refresh(db: BrowserDatabase): Promise<void> {
  const [status, stats] = [await db.status(), await db.stats()];
  const plain = { applied: status.applied, pending: status.pending, problems: status.problems.map((p) => p.toJSON()) };
  element('status').textContent = statusLines(plain).join('\n');
  element('stats').replaceChildren(statsView(stats));
  element('timeline').replaceChildren(timelineView(plain, state.plan));
  publish({ status: plain, stats });
}

async function act(db: BrowserDatabase, action: RunOutcome['action'], run: () => Promise<RunReport>): Promise<void> {
  publish({ phase: 'busy' });
  let outcome: RunOutcome;
  try {
    outcome = { action, steps: (await run()).steps };
  } catch (error) {
    outcome = { action, steps: error instanceof RunError ? error.report.steps : [], error: plainError(error) };
  }
  await refresh(db);
  message.className = outcome.error === undefined ? '' : 'error';
  message.replaceChildren(...summary(outcome));
  publish({ phase: 'ready', lastRun: outcome, actions: state.actions + 1 });
}

// Rolls back the most recently applied migration; the history is read under the same lock as the rollback.
function rollbackLast(db: BrowserDatabase): Promise<RunReport> {
  return db.rollback({ steps: 1 });
}

async function start(): Promise<void> {
  const db = await openBrowserDatabase({
    name,
    sqlJs: () => initSqlJs({ locateFile: () => wasmUrl }),
    migrations: migrationFiles(extras),
    onEvent,
  });
  element('where').textContent =
    `sql.js in IndexedDB (database "strata", key "${name}"), guarded by the Web Lock "${db.lockName}"`;
  const plan = await db.run(async (manager) =>
    manager
      .migrations()
      .map((m) => ({ version: m.version, name: m.name, checksum: m.checksum, dependencies: m.meta.dependencies })),
  );
  publish({ plan });
  buttons.migrate.addEventListener('click', () => act(db, 'migrate', () => db.migrate()).catch(fail));
  buttons.rollback.addEventListener('click', () => act(db, 'rollback', () => rollbackLast(db)).catch(fail));
  if (migrateOnLoad) await act(db, 'migrate', () => db.migrate());
  else {
    await refresh(db);
    publish({ phase: 'ready' });
  }
}

// The database could not be opened or read: nothing on the page can be trusted, so say why and stop.
function fail(error: unknown): void {
  const failure = plainError(error);
  message.className = 'error';
  message.replaceChildren(h('span', { class: 'code' }, failure.code), h('span', {}, `: ${failure.message}`));
  publish({ phase: 'failed', error: failure });
}

start().catch(fail);
